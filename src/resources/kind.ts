/**
 * The one interface every resource kind implements (STYLE: Crossplane's ExternalClient). The engine
 * drives kinds only through it and never names a kind: adding a kind is one file here plus the schema.
 *
 * observe, diff, read and resolveIntent are pure: they only read the PoolView. apply and finishIntent
 * are the only code that writes to the pool.
 */
import type { Address, Diagnostic, Action, Attrs, Change, Drift } from "../model";
import type { PoolView } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import type { XapiClient } from "./client";

/** Config attributes after reference resolution: plain values, or UNKNOWN where only apply can know. */
export type Spec = Attrs;

/** A managed object found in the pool for an address of this stack. */
export interface Live {
  readonly address: Address;
  readonly uuid: Uuid;
  /** What the pool holds now, as the plan's `before`. */
  readonly attrs: Attrs;
  /** Digests of the last applied spec (marker `xsnap.spec`); undefined for an object not yet marked. */
  readonly recorded?: RecordedSpec;
  /** Larger is newer: when two objects claim one address, the newest stays and the others are destroyed. */
  readonly order: number;
  /** Set when the object was found through an interrupted apply's intent, not through its markers. */
  readonly adoptedFrom?: string;
}

/** What the `xsnap.spec` marker holds: one digest per attribute, and the values destroy needs later. */
export interface RecordedSpec {
  readonly sha256: string;
  readonly digests: Readonly<Record<string, string>>;
  /** Values a destroy needs once the address is gone from the configuration (e.g. `on_destroy`). */
  readonly kept: Readonly<Record<string, string>>;
}

/** One object the plan read or will touch, fingerprinted for saved-plan staleness. */
export interface ObjectRead {
  readonly uuid: Uuid;
  readonly address: Address;
}

/** The kind's half of a Change; the engine adds address, type, name, provider and dependencies. */
export type PlannedAction = Pick<Change, "action" | "reason" | "before" | "after" | "notes" | "private">;

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
}

/** What the applier gives a kind for one step. */
export interface ApplyContext {
  readonly client: XapiClient;
  /** The address this step applies (markers name it). */
  readonly address: Address;
  readonly stack: string;
  readonly signal?: AbortSignal;
  /** Task progress, 0..1. */
  progress(fraction: number): void;
  /** The XAPI task now running for this step. */
  task(ref: string): void;
  /** A transient failure that the kind retries after `delaySeconds`. */
  retry(info: { readonly attempt: number; readonly max: number; readonly code: string; readonly delaySeconds: number }): void;
  /** Waits (injectable so retry tests need no real time). */
  sleep(ms: number): Promise<void>;
}

export interface Applied {
  /** The object the address now refers to (absent after a destroy). */
  readonly uuid?: Uuid;
}

/** What an interrupted apply left for an address, as the kind reads it from the pool. */
export type IntentOutcome =
  | { readonly status: "done"; readonly detail: string; readonly cleanup?: readonly DiskRef[] }  // finished; only the record remains
  | { readonly status: "discard"; readonly detail: string; readonly cleanup?: readonly DiskRef[]; readonly uninstall?: readonly Uuid[] }
  | { readonly status: "adopt"; readonly detail: string; readonly live: Live }
  | { readonly status: "ambiguous"; readonly detail: string; readonly candidates: readonly string[]; readonly candidateUuids?: readonly Uuid[] };

/** An intent as recorded in `pool.other_config["xsnap.pending/<stack>/<id>"]` (JSON). */
export interface IntentRecord extends IntentSubject {
  readonly id: string;
  readonly op: Action;
  readonly address: Address;
  readonly type: string;
  /** ISO 8601 time the step started. */
  readonly started: string;
  readonly lock?: string;
}

export interface DiskRef { readonly uuid: Uuid; readonly name_label: string }

/** Facts a kind records in an intent before mutating, so that a later plan can find what it left. */
export interface IntentSubject {
  /** The VM the step acts on. */
  readonly vm?: Uuid;
  /** The name the created object will carry. */
  readonly expected_name?: string;
  /** Objects that already carried that name before the step (never adopted). */
  readonly existing?: readonly Uuid[];
  /** The object being destroyed or replaced. */
  readonly object?: Uuid;
  /** Disks the step will destroy. */
  readonly disks?: readonly Uuid[];
}

/** One managed resource type. */
export interface ResourceKind {
  readonly type: string;
  /** Attributes only apply can know (UNKNOWN in a create's `after`). */
  readonly computed: readonly string[];
  /**
   * Every object of this kind the stack manages, by address. Matches markers only where
   * `xsnap.self` is the object's own uuid (inherited copies never count). Pure.
   */
  observe(view: PoolView, stack: string): ReadonlyMap<Address, readonly Live[]>;
  /** Decides the action and runs the preflight checks. Pure: reads only `view`. */
  diff(args: DiffArgs): DiffResult;
  /**
   * Performs one planned change. Throws on failure; the engine then keeps the intent so the next
   * plan can adopt or discard whatever the step left. Markers are on the object before it returns.
   */
  apply(change: Change, ctx: ApplyContext): Promise<Applied>;
  /** Steps sharing a key run one at a time: the VM uuid for anything that touches a VM. */
  serialKey(change: Change): string | undefined;
  /** What to record in the intent before `apply` mutates anything. Pure. */
  intentSubject(change: Change): IntentSubject;
  /** Classifies a leftover intent of this kind against the pool. Pure. */
  resolveIntent(view: PoolView, intent: IntentRecord): IntentOutcome;
  /** Destroys what a discarded intent half-created: disks without their VM, objects to `uninstall`. */
  finishIntent(outcome: IntentOutcome, ctx: ApplyContext): Promise<void>;
  /**
   * `xsnap recover --adopt`: claims an object for `ctx.address` without a spec (the next plan writes
   * the spec marker as an update). Idempotent.
   */
  adopt(uuid: Uuid, ctx: ApplyContext): Promise<void>;
  /** Why `uuid` cannot become an object of this kind (`xsnap import`), or undefined when it can. Pure. */
  unadoptable(view: PoolView, uuid: Uuid): string | undefined;
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
