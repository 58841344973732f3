/**
 * The one interface every resource kind implements (STYLE: Crossplane's ExternalClient). The engine
 * drives kinds only through it and never names a kind: adding a kind is one file here plus the schema.
 *
 * observe, diff, decode, serialKeys, intentSubject, resolveIntent and unadoptable are pure: they
 * only read the PoolView. apply, finishIntent, adopt and release are the only code that writes.
 */
import type { Action, Address, Attrs, Change, Diagnostic, Drift, IntentOutcome } from "../model";
import type { PoolView } from "../xapi/records";
import type { OpaqueRef, Uuid } from "../xapi/types";
import type { XapiClient } from "./client";

/** Config attributes after reference resolution: plain values, or UNKNOWN where only apply can know. */
export type Spec = Attrs;

/**
 * How a kind's objects are found in the pool. `markers`: VM-class objects carrying xsnap's markers
 * in other_config (snapshot, checkpoint, template). `registry`: what has no object of its own (a
 * revert, a schedule's ownership) is a JSON entry `pool.other_config["xsnap.<name>/<stack>/<address>"]`,
 * which the engine reads for `observe` and the kind writes through `ApplyContext.registry`.
 */
export type Identity = { readonly by: "markers" } | { readonly by: "registry"; readonly name: string };

/** A managed object (or registry entry) found in the pool for an address of this stack. */
export interface Live {
  readonly address: Address;
  /** The object's uuid; absent for a registry-identified address, which has no object of its own. */
  readonly uuid?: Uuid;
  /** What the pool holds now, as the plan's `before`. */
  readonly attrs: Attrs;
  /** Digests of the last applied spec (marker `xsnap.spec`); undefined for an object not yet marked. */
  readonly recorded?: RecordedSpec;
  /** Larger is newer: when two objects claim one address, the newest stays and the others are destroyed. */
  readonly order: number;
  /** Set when the object was found through an interrupted apply's intent, not through its markers. */
  readonly adoptedFrom?: string;
}

/** The object of a Live that a marker kind found (its own observe and intents always give one). */
export function objectUuid(live: Live): Uuid {
  if (live.uuid === undefined) throw new Error(`${live.address}: a registry entry where an object was expected`);
  return live.uuid;
}

/** What the `xsnap.spec` marker holds: one digest per attribute, and the values destroy needs later. */
export interface RecordedSpec {
  readonly sha256: string;
  readonly digests: Readonly<Record<string, string>>;
  /** Values a destroy needs once the address is gone from the configuration (e.g. `on_destroy`). */
  readonly kept: Readonly<Record<string, string>>;
}

/** One object (or registry entry) the plan read or will touch, fingerprinted for saved-plan staleness. */
export type ObjectRead =
  | { readonly address: Address; readonly uuid: string }
  | { readonly address: Address; readonly registryKey: string };

/** The kind's half of a Change; the engine adds address, type, name, provider and dependencies. */
export type PlannedAction = Pick<Change, "action" | "reason" | "replacePaths" | "before" | "after" | "notes" | "private">;

export interface DiffArgs {
  readonly address: Address;
  readonly stack: string;
  /** Undefined when the address is not in the configuration (or --destroy): plan a destroy. */
  readonly spec: Spec | undefined;
  /** Undefined when the pool holds no object for the address (plan a create). */
  readonly live: Live | undefined;
  readonly view: PoolView;
  /** `--replace ADDR` was given for this address. */
  readonly replaceRequested: boolean;
}

/**
 * A share of a finite pool resource (free bytes on an SR) that the planned action will consume. The
 * engine adds up the claims of every change on the same resource, so ten checkpoints that each fit
 * but together do not are refused at plan time too.
 */
export interface Claim {
  /** Identifies the resource, e.g. the SR uuid. */
  readonly resource: string;
  /** How the error names it, e.g. `SR "NFS store"`. */
  readonly label: string;
  readonly bytes: number;
  readonly available: number;
}

/**
 * Something at most one address of the stack may hold (a VM belongs to one schedule at most). The
 * engine refuses the plan when two addresses hold the same `key`, naming both.
 */
export interface Exclusive {
  /** Identifies what is held, e.g. `vmss-member:<vm uuid>`. */
  readonly key: string;
  /** How the error names it, e.g. `VM "web-01"`. */
  readonly label: string;
  /** What holding it means, for the error: e.g. `a VM belongs to one snapshot schedule at most`. */
  readonly rule: string;
}

export interface DiffResult {
  /** Absent only when there is nothing to plan (no spec and no live object). */
  readonly planned?: PlannedAction;
  /** A managed object that differs from its last applied spec without xsnap doing it. */
  readonly drift?: Pick<Drift, "kind" | "before" | "after">;
  /** Config problems and preflight findings, each naming the address. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every object this decision depended on (the VM, the snapshot, the disks to destroy). */
  readonly reads: readonly ObjectRead[];
  readonly claims?: readonly Claim[];
  readonly exclusives?: readonly Exclusive[];
}

/** The step's own entry in its kind's registry (registry-identified kinds only). */
export interface RegistryEntryWriter {
  write(value: string): Promise<void>;
  clear(): Promise<void>;
}

/** What the applier gives a kind for one step. */
export interface ApplyContext {
  /**
   * The whole client of the step's pool: calls, tasks, HTTP streams. Every call already runs under
   * the one retry policy (transient codes, backoff with jitter; retries reported): kinds never loop.
   */
  readonly client: XapiClient;
  readonly poolRef: OpaqueRef;
  /** The address this step applies (markers name it). */
  readonly address: Address;
  readonly stack: string;
  /**
   * The attributes the plan could only show as "(known after apply)", resolved now from the results
   * of the steps this one depends on (e.g. `source` = the uuid of a snapshot this apply created).
   */
  readonly inputs: Attrs;
  /** This address's registry entry; present for kinds whose identity is `registry`. */
  readonly registry?: RegistryEntryWriter;
  readonly signal?: AbortSignal;
  /** Task progress, 0..1. */
  progress(fraction: number): void;
  /** Bytes moved so far by a transfer (export/import), and the total when known. */
  transferred(bytes: number, total?: number): void;
  /** The XAPI task now running for this step. */
  task(ref: string): void;
}

/** `callAsync`'s progress options for a step: its task's progress and the task itself reach the step's events. */
export const taskProgress = (ctx: ApplyContext): { onProgress(fraction: number): void; onTask(task: OpaqueRef): void } => ({
  onProgress: (fraction) => ctx.progress(fraction),
  onTask: (task) => ctx.task(task),
});

export interface Applied {
  /** The object the address now refers to (absent after a destroy, and for registry-identified kinds). */
  readonly uuid?: Uuid;
  /** Values known only now (uuid, snapshot_time, …): dependents' "(known after apply)" inputs read them. */
  readonly attrs?: Attrs;
}

/** What a kind's leftover intent resolves to, with the object found when it is adopted. */
export type KindIntentOutcome = IntentOutcome<Live>;

/** An intent as recorded in `pool.other_config["xsnap.pending/<stack>/<id>"]` (JSON). */
export interface IntentRecord extends IntentSubject {
  readonly id: string;
  readonly op: Action;
  readonly address: Address;
  readonly type: string;
  /** ISO 8601 time the step started. */
  readonly started: string;
  readonly lock?: string;
  /** The XAPI tasks the step started (`Async.*`, exports, imports), added as they start. */
  readonly tasks?: readonly string[];
}

/** Facts a kind records in an intent before mutating, so that a later plan can find what it left. */
export interface IntentSubject {
  /** The VM the step acts on. */
  readonly vm?: Uuid;
  /** The name the created object will carry. */
  readonly expected_name?: string;
  /** Objects that already carried that name before the step (never adopted). */
  readonly existing?: readonly Uuid[];
  /** The object being destroyed, replaced, or read from (a template's source). */
  readonly object?: Uuid;
  /** Disks the step will destroy, or (for a revert) the VM's disks before it. */
  readonly disks?: readonly Uuid[];
  /** Kind-specific facts (e.g. a revert's token), as strings. */
  readonly facts?: Readonly<Record<string, string>>;
}

/** One managed resource type. */
export interface ResourceKind {
  readonly type: string;
  readonly identity: Identity;
  /** Attributes only apply can know (UNKNOWN in a create's `after`). */
  readonly computed: readonly string[];
  /**
   * Every object of this kind the stack manages, by address. Marker kinds match markers only where
   * `xsnap.self` is the object's own uuid (inherited copies never count); registry kinds decode
   * `registry` (their entries, by address). Pure.
   */
  observe(view: PoolView, stack: string, registry: ReadonlyMap<Address, string>): ReadonlyMap<Address, readonly Live[]>;
  /** Decides the action and runs the preflight checks. Pure: reads only `view`. */
  diff(args: DiffArgs): DiffResult;
  /**
   * Checks that `change.private` is a payload this kind planned (saved plans are files a person can
   * edit): undefined when it is, else what is wrong, for a message that names the address.
   */
  checkPayload(change: Change): string | undefined;
  /**
   * Performs one planned change. Throws on failure; the engine then keeps the intent so the next
   * plan can adopt or discard whatever the step left. Markers (or the registry entry) are written
   * before it returns. `ctx.inputs` holds what was unknown at plan time; the kind re-checks it.
   */
  apply(change: Change, ctx: ApplyContext): Promise<Applied>;
  /**
   * Steps sharing any key never overlap: the uuid of every VM-class object the step changes or reads
   * (a snapshot's VM, a copy's source, each VM a schedule spans). Asked when the step is about to
   * run, with its apply-time inputs resolved.
   */
  serialKeys(change: Change, inputs: Attrs): readonly string[];
  /** What to record in the intent before `apply` mutates anything. Pure. */
  intentSubject(change: Change, inputs: Attrs): IntentSubject;
  /** Classifies a leftover intent of this kind against the pool. Pure. */
  resolveIntent(view: PoolView, intent: IntentRecord, registry: ReadonlyMap<Address, string>): KindIntentOutcome;
  /** Destroys what a discarded intent half-created: disks without their VM, objects to `uninstall`. */
  finishIntent(outcome: KindIntentOutcome, ctx: ApplyContext): Promise<void>;
  /**
   * `xsnap recover --adopt`: claims an object for `ctx.address` without a spec (the next plan writes
   * the spec marker as an update). Idempotent.
   */
  adopt(uuid: Uuid, ctx: ApplyContext): Promise<void>;
  /**
   * Why `uuid` cannot become an object of this kind for `stack` (`xsnap import`), or undefined when it
   * can. An object another stack manages cannot: that stack's next plan would lose it. Pure.
   */
  unadoptable(view: PoolView, uuid: Uuid, stack: string): string | undefined;
  /** `xsnap forget`: removes this kind's claim (markers) from the object; the object stays. Idempotent. */
  release(uuid: Uuid, ctx: ApplyContext): Promise<void>;
}

/** A data source: read from the PoolView at plan time, never written. */
export interface DataSourceKind {
  readonly type: string;
  read(args: { readonly address: Address; readonly spec: Spec; readonly view: PoolView }): DataResult;
}

export interface DataResult {
  /** The attributes references can use; absent when `diagnostics` holds an error. */
  readonly attrs?: Attrs;
  readonly diagnostics: readonly Diagnostic[];
  readonly reads: readonly ObjectRead[];
}

/** Kinds by type. Passed as an argument (no global registry). */
export interface KindRegistry {
  readonly managed: ReadonlyMap<string, ResourceKind>;
  readonly data: ReadonlyMap<string, DataSourceKind>;
}

export function kindRegistry(args: {
  readonly managed: readonly ResourceKind[];
  readonly data: readonly DataSourceKind[];
}): KindRegistry {
  return {
    managed: new Map(args.managed.map((k) => [k.type, k])),
    data: new Map(args.data.map((k) => [k.type, k])),
  };
}
