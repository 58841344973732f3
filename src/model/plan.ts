/**
 * The plan is a value (STYLE: Terraform's plans.Change). Everything `apply PLANFILE` needs is in it
 * and it survives JSON.parse(JSON.stringify(plan)). Renderers read it; apply reads only `action`,
 * `before`/`after` and `private`, never `reason` or `notes`.
 */
import type { Address } from "./address";
import type { Diagnostic } from "./diagnostic";
import type { Attrs, ConfigValue } from "./values";

export type Action = "no-op" | "create" | "update" | "replace" | "revert" | "destroy" | "read";

/** Replace, destroy and revert lose something: they are listed on the plan's `Destructive:` line. */
export const isDestructive = (a: Action): boolean => a === "replace" || a === "destroy" || a === "revert";

/** Why the action was chosen; for the reader only (renderers), never for apply decisions. */
export type ActionReason =
  | "not_in_configuration"       // destroy: address removed from config
  | "deleted_outside"            // create: managed object vanished from the pool
  | "retake_token_changed"       // replace
  | "replace_by_request"         // replace: --replace ADDR
  | "replace_because_cannot_update" // replace: an attribute that cannot change in place changed (`replacePaths`)
  | "revert_token_changed"       // revert
  | "destroy_requested";         // --destroy

export interface Change {
  readonly address: Address;
  readonly type: string;
  readonly name: string;
  /** Provider alias (pool) this change runs against. */
  readonly provider: string;
  readonly action: Action;
  readonly reason?: ActionReason;
  /**
   * A replace only: the attributes whose change forces it (Terraform's `replace_paths`, here always
   * top-level attribute names). Empty when nothing changed, e.g. `--replace ADDR` alone; absent in
   * plans saved before xsnap recorded them.
   */
  readonly replacePaths?: readonly string[];
  /** What the pool holds now (null for a create). */
  readonly before: Attrs | null;
  /** What apply will leave (null for a destroy); unknown values are UNKNOWN. */
  readonly after: Attrs | null;
  /** `#` lines under the header: "captures web-01's state at apply time", VDIs that will be destroyed. */
  readonly notes: readonly string[];
  /** Addresses this change must wait for (in any pool of the stack). */
  readonly dependsOn: readonly Address[];
  /**
   * Attributes the plan shows as "(known after apply)": their config values, with the references to
   * objects this apply creates kept symbolic. The applier resolves them when the step runs.
   */
  readonly deferred?: Readonly<Record<string, ConfigValue>>;
  /** Owned by the kind (resolved refs, uuids to act on); the engine never reads it. */
  readonly private?: Readonly<Record<string, unknown>>;
  /** Id of the interrupted apply's intent this change finishes (adopting what it created); cleared once applied. */
  readonly resolvesIntent?: string;
}

/** A managed object that differs from its last applied spec, or vanished, without xsnap doing it. */
export interface Drift {
  readonly address: Address;
  readonly type: string;
  readonly name: string;
  readonly kind: "changed" | "deleted";
  readonly before: Attrs;
  readonly after: Attrs | null;
}

export interface PoolIdentity {
  readonly uuid: string;
  readonly name_label: string;
  readonly url: string;
  readonly xapi_version: string;
  readonly insecure: boolean;
}

/** A precondition recorded for saved-plan staleness: sha256 of the relevant fields of one object. */
export type Fingerprint =
  | { readonly uuid: string; readonly address?: Address; readonly fingerprint: string }
  /** A registry entry in pool.other_config (an object-less address such as a revert). */
  | { readonly registryKey: string; readonly address?: Address; readonly fingerprint: string };

/**
 * Where a saved plan was made from (DESIGN §4 small print), so that `apply PLANFILE` run from any
 * folder needs nothing but the secrets, and hints name commands that work where the user stands.
 * Written by the CLI; never read by apply's decisions beyond finding the configuration and the pool.
 */
export interface PlanContext {
  /** The folder `xsnap plan` ran in (absolute). */
  readonly cwd: string;
  /** `--config` (a cdk.tf.json file or cdktf.out folder), or the folder of the cdktf app's cdktf.json. */
  readonly source: {
    readonly kind: "config" | "app";
    readonly path: string;          // absolute
    readonly relative: string;      // relative to `cwd`, as a user would type it there
  };
  /** `--stack` when it was given (a multi-stack app, or a file named by it). */
  readonly stackFlag?: string;
  /** How the pool was reached: URL and user as resolved (block or env), and the password's variable (never its value). */
  readonly connection: { readonly url: string; readonly username: string; readonly passwordEnv: string };
}

export interface Plan {
  readonly formatVersion: 1;
  readonly tool: { readonly name: "xsnap"; readonly version: string };
  readonly createdAt: string;
  readonly stack: string;
  readonly provider: string;
  readonly pool: PoolIdentity;
  readonly configHash: string;
  readonly destroyMode: boolean;
  readonly changes: readonly Change[];
  readonly drift: readonly Drift[];
  readonly diagnostics: readonly Diagnostic[];
  /** Fingerprints of every object read or touched, and of the set of managed addresses. */
  readonly fingerprints: readonly Fingerprint[];
  readonly managedSetHash: string;
  /** "Pending operations from an interrupted apply" and how this plan resolves each (engine/intents.ts). */
  readonly intents?: readonly IntentResolution[];
  /** Registry entries of objects deleted outside xsnap whose address left the configuration; apply drops them. */
  readonly forgotten?: readonly Address[];
  /** Saved plans: where the configuration and the pool are (see PlanContext). */
  readonly context?: PlanContext;
}

/** A disk named in an intent or a plan note. */
export interface DiskRef { readonly uuid: string; readonly name_label: string }

/**
 * What an interrupted apply left for an address, as its kind reads the pool: `done` (finished; only
 * the record remains, `cleanup` lists disks a half-finished destroy left), `discard` (nothing usable
 * was created; `uninstall` lists half-created objects), `adopt` (the step's effect exists without
 * xsnap's record of it: `live` is what the kind found, and a change with `resolvesIntent` records it),
 * `ambiguous` (blocks apply: exit 6, `xsnap recover` settles it). The one intent-outcome type: kinds
 * return it with their `live`; plans keep it without (`IntentResolution`).
 */
export type IntentOutcome<Adopted = unknown> =
  | { readonly status: "done"; readonly detail: string; readonly cleanup?: readonly DiskRef[] }
  | { readonly status: "discard"; readonly detail: string; readonly cleanup?: readonly DiskRef[]; readonly uninstall?: readonly string[] }
  | { readonly status: "adopt"; readonly detail: string; readonly live: Adopted }
  | { readonly status: "ambiguous"; readonly detail: string; readonly candidates: readonly string[]; readonly candidateUuids?: readonly string[] };

/** Which intent, for which address: the part every resolution shares. */
export interface IntentHeader {
  readonly id: string;
  readonly address: Address;
  readonly type: string;
  readonly op: Action;
  readonly started: string;
}

/** A leftover intent and how this plan resolves it: the outcome as a plan stores it (without the adopted object). */
export interface IntentResolution extends IntentHeader {
  readonly status: IntentOutcome["status"];
  readonly detail: string;
  /** `ambiguous`: the look-alikes, as a person reads them. */
  readonly candidates?: readonly string[];
  /** `done` / `discard`: disks a half-finished destroy left, destroyed by the next apply. */
  readonly cleanup?: readonly DiskRef[];
  /** `discard`: objects (uuids) the step half-created, uninstalled with their disks by the next apply. */
  readonly uninstall?: readonly string[];
  /** XAPI tasks the step had started (their keys go with the intent). */
  readonly tasks?: readonly string[];
}

/** True when an interrupted apply left something only `xsnap recover` can settle (exit 6). */
export const hasBlockingIntents = (plan: Plan): boolean => (plan.intents ?? []).some((i) => i.status === "ambiguous");

export interface PlanSummary { readonly add: number; readonly change: number; readonly destroy: number; readonly destructive: readonly Address[] }

/** Terraform counting: replace = 1 add + 1 destroy; revert and update are changes. */
export function summarize(changes: readonly Change[]): PlanSummary {
  let add = 0, change = 0, destroy = 0;
  const destructive: Address[] = [];
  for (const c of changes) {
    if (c.action === "create") add++;
    else if (c.action === "update" || c.action === "revert") change++;
    else if (c.action === "destroy") destroy++;
    else if (c.action === "replace") { add++; destroy++; }
    if (isDestructive(c.action)) destructive.push(c.address);
  }
  return { add, change, destroy, destructive };
}

/** Apply progress, as the applier reports it and the renderers print it. */
export type ApplyEvent =
  | { readonly type: "start"; readonly address: Address; readonly action: Action; readonly task?: string }
  | { readonly type: "progress"; readonly address: Address; readonly action: Action; readonly elapsedSeconds: number; readonly fraction?: number; readonly bytes?: number }
  | { readonly type: "complete"; readonly address: Address; readonly action: Action; readonly elapsedSeconds: number; readonly uuid?: string }
  | { readonly type: "retry"; readonly address: Address; readonly attempt: number; readonly max: number; readonly code: string; readonly delaySeconds: number }
  | { readonly type: "errored"; readonly address: Address; readonly action: Action; readonly message: string }
  | { readonly type: "skipped"; readonly address: Address; readonly because: string };

export interface ApplyReport {
  readonly applied: readonly { readonly address: Address; readonly action: Action }[];
  readonly failed: readonly { readonly address: Address; readonly message: string }[];
  readonly skipped: readonly { readonly address: Address; readonly because: string }[];
}
