/**
 * What a snapshot/checkpoint change carries for apply (`Change.private`): plain JSON, so a saved plan
 * applies exactly what was reviewed. Written by point-in-time.ts at plan time, read by
 * point-in-time-apply.ts.
 */
import type { Change, DiskRef } from "../model";
import type { OpaqueRef, Uuid } from "../xapi/types";
import { z } from "zod";
import { payloadProblem, payloadOf } from "./payload";

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

const uuid = z.string().min(1);
const createSchema = z.object({
  op: z.literal("create"), vm: uuid, vm_ref: z.string().optional(), name_label: z.string(), name_description: z.string(),
  quiesce: z.boolean(), ignore_vdis: z.array(uuid), spec: z.string(), existing: z.array(uuid),
});
const destroySchema = z.object({
  op: z.literal("destroy"), object: uuid, vm: uuid.optional(), mode: z.enum(["uninstall", "keep_disks"]),
  disks: z.array(z.object({ uuid, name_label: z.string() })),
});
const stepSchema = z.discriminatedUnion("op", [
  createSchema,
  z.object({ op: z.literal("update"), object: uuid, vm: uuid.optional(), name_label: z.string().optional(), name_description: z.string().optional(), spec: z.string() }),
  destroySchema,
  z.object({ op: z.literal("replace"), create: createSchema, destroy: destroySchema }),
]);

/** Why `change.private` is not a snapshot/checkpoint step, or undefined when it is one. */
export const checkStep = (change: Change): string | undefined => payloadProblem(stepSchema, change);

/** The step of a change this kind planned (decoded: a saved plan may have been edited). */
export const stepOf = (change: Change): Step => payloadOf(stepSchema, change) as Step;

/** The VM a step touches (for per-VM serialisation and intents). */
export function vmOfStep(step: Step): Uuid | undefined {
  switch (step.op) {
    case "create": return step.vm;
    case "replace": return step.create.vm;
    case "update": case "destroy": return step.vm;
  }
}
