/**
 * What a snapshot/checkpoint change carries for apply (`Change.private`): plain JSON, so a saved plan
 * applies exactly what was reviewed. Written by point-in-time.ts at plan time, read by
 * point-in-time-apply.ts.
 */
import type { Change } from "../model";
import type { OpaqueRef, Uuid } from "../xapi/types";
import type { DiskRef } from "./kind";

/** What distinguishes `xapi_snapshot` from `xapi_checkpoint`. */
export interface Flavor {
  readonly type: string;
  /** "snapshot" / "checkpoint", as the plan's notes say it. */
  readonly noun: string;
  /** VM.checkpoint: memory too, VM must not be Halted, space estimate shown. */
  readonly withMemory: boolean;
  /** Inputs that cannot change without a retake. */
  readonly immutable: readonly string[];
  readonly computed: readonly string[];
}

export type OnDestroy = "uninstall" | "keep_disks";

export interface CreateStep {
  readonly op: "create";
  readonly vm: Uuid;
  /** The VM's ref when planned: saves a lookup per step (refs live as long as their object). */
  readonly vm_ref?: OpaqueRef;
  readonly name_label: string;
  readonly name_description: string;
  readonly quiesce: boolean;
  readonly ignore_vdis: readonly Uuid[];
  /** The `xsnap.spec` marker value to write. */
  readonly spec: string;
  /** Snapshots of the VM that already carry name_label (an intent never adopts them). */
  readonly existing: readonly Uuid[];
}

export interface UpdateStep {
  readonly op: "update";
  readonly object: Uuid;
  readonly vm?: Uuid;
  readonly name_label?: string;
  readonly name_description?: string;
  readonly spec: string;
}

export interface DestroyStep {
  readonly op: "destroy";
  readonly object: Uuid;
  readonly vm?: Uuid;
  readonly mode: OnDestroy;
  /** Disks that `uninstall` deletes (empty for keep_disks), as listed in the plan. */
  readonly disks: readonly DiskRef[];
}

export interface ReplaceStep {
  readonly op: "replace";
  readonly create: CreateStep;
  readonly destroy: DestroyStep;
}

export type Step = CreateStep | UpdateStep | DestroyStep | ReplaceStep;

export const toPrivate = (step: Step): Readonly<Record<string, unknown>> => step as unknown as Readonly<Record<string, unknown>>;

/** The step of a change this kind planned; a change from elsewhere is a bug, not a user error. */
export function stepOf(change: Change): Step {
  const p = change.private as { op?: unknown } | undefined;
  if (!p || (p.op !== "create" && p.op !== "update" && p.op !== "destroy" && p.op !== "replace")) {
    throw new Error(`${change.address}: change carries no ${change.type} step (was the plan file edited?)`);
  }
  return p as unknown as Step;
}

/** The VM a step touches (for per-VM serialisation and intents). */
export function vmOfStep(step: Step): Uuid | undefined {
  switch (step.op) {
    case "create": return step.vm;
    case "replace": return step.create.vm;
    case "update": case "destroy": return step.vm;
  }
}
