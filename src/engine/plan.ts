/**
 * The plan is a value (STYLE: Terraform's plans.Change). Everything `apply PLANFILE` needs is in it
 * and it survives JSON.parse(JSON.stringify(plan)). Renderers read it; apply reads only `action`,
 * `before`/`after` and `private`, never `reason` or `notes`.
 */
import type { Address, Diagnostic } from "./diagnostics";

export type Action = "no-op" | "create" | "update" | "replace" | "revert" | "destroy" | "read";

/** Replace, destroy and revert lose something: they are listed on the plan's `Destructive:` line. */
export const isDestructive = (a: Action): boolean => a === "replace" || a === "destroy" || a === "revert";

/** Attribute values as rendered: plain JSON, plus the marker for "(known after apply)". */
export type AttrValue = string | number | boolean | null | readonly AttrValue[] | { readonly [k: string]: AttrValue };
export type Attrs = Readonly<Record<string, AttrValue>>;
/** Stands in an `after` value whose content only apply can know. */
export const UNKNOWN = { unknown: true } as const;
export const isUnknown = (v: unknown): boolean =>
  typeof v === "object" && v !== null && (v as { unknown?: unknown }).unknown === true && Object.keys(v).length === 1;

/** Why the action was chosen; for the reader only (renderers), never for apply decisions. */
export type ActionReason =
  | "not_in_configuration"       // destroy: address removed from config
  | "deleted_outside"            // create: managed object vanished from the pool
  | "retake_token_changed"       // replace
  | "replace_by_request"         // replace: --replace ADDR
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
  /** What the pool holds now (null for a create). */
  readonly before: Attrs | null;
  /** What apply will leave (null for a destroy); unknown values are UNKNOWN. */
  readonly after: Attrs | null;
  /** `#` lines under the header: "captures web-01's state at apply time", VDIs that will be destroyed. */
  readonly notes: readonly string[];
  /** Addresses this change must wait for. */
  readonly dependsOn: readonly Address[];
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
export interface Fingerprint {
  readonly uuid: string;
  readonly address?: Address;
  readonly fingerprint: string;
}

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

/**
 * A leftover intent and its resolution: `done` (only the record remains), `discard` (nothing was
 * created; `cleanup` lists disks a half-finished destroy left), `adopt` (the object exists without
 * markers; a change with `resolvesIntent` writes them), `ambiguous` (blocks apply: exit 6).
 */
export interface IntentResolution {
  readonly id: string;
  readonly address: Address;
  readonly type: string;
  readonly op: Action;
  readonly started: string;
  readonly status: "done" | "discard" | "adopt" | "ambiguous";
  readonly detail: string;
  readonly candidates?: readonly string[];
  readonly cleanup?: readonly { readonly uuid: string; readonly name_label: string }[];
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
  | { readonly type: "progress"; readonly address: Address; readonly action: Action; readonly elapsedSeconds: number; readonly fraction?: number }
  | { readonly type: "complete"; readonly address: Address; readonly action: Action; readonly elapsedSeconds: number; readonly uuid?: string }
  | { readonly type: "retry"; readonly address: Address; readonly attempt: number; readonly max: number; readonly code: string; readonly delaySeconds: number }
  | { readonly type: "errored"; readonly address: Address; readonly action: Action; readonly message: string }
  | { readonly type: "skipped"; readonly address: Address; readonly because: string };

export interface ApplyReport {
  readonly applied: readonly { readonly address: Address; readonly action: Action }[];
  readonly failed: readonly { readonly address: Address; readonly message: string }[];
  readonly skipped: readonly { readonly address: Address; readonly because: string }[];
}
