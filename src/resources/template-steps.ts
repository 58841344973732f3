/**
 * What an `xapi_template` change carries for apply (`Change.private`): plain JSON decoded with zod,
 * so a saved plan applies exactly what was reviewed. Written by template.ts at plan time, read by
 * template-apply.ts.
 */
import { z } from "zod";
import type { Change, DiskRef } from "../model";
import type { Uuid } from "../xapi/types";
import { payloadProblem, payloadOf } from "./payload";

export interface CreateStep {
  readonly op: "create";
  /** The snapshot/checkpoint to clone or copy; absent when only apply knows it (`ctx.inputs.source`). */
  readonly source?: Uuid;
  readonly name_label: string;
  readonly name_description: string;
  /** VM.copy into this SR (uuid); absent: VM.clone on the source's SRs. */
  readonly sr?: Uuid;
  /** Templates that already carried name_label when planned (an intent never adopts them). */
  readonly existing: readonly Uuid[];
}

export interface UpdateStep {
  readonly op: "update";
  readonly object: Uuid;
  readonly source: Uuid;
  readonly name_label?: string;
  readonly name_description?: string;
  /** The template still carries a memory image (an adopted half-finished create): halt it first. */
  readonly drop_memory?: boolean;
  /** The `xsnap.spec` marker value to write. */
  readonly spec: string;
}

export interface DestroyStep {
  readonly op: "destroy";
  readonly object: Uuid;
  /** Disks the uninstall deletes, as listed in the plan. */
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
  op: z.literal("create"), source: uuid.optional(), name_label: z.string().min(1), name_description: z.string(),
  sr: uuid.optional(), existing: z.array(uuid),
});
const destroySchema = z.object({ op: z.literal("destroy"), object: uuid, disks: z.array(z.object({ uuid, name_label: z.string() })) });
const stepSchema = z.discriminatedUnion("op", [
  createSchema,
  z.object({ op: z.literal("update"), object: uuid, source: uuid, name_label: z.string().min(1).optional(), name_description: z.string().optional(),
    drop_memory: z.boolean().optional(), spec: z.string() }),
  destroySchema,
  z.object({ op: z.literal("replace"), create: createSchema, destroy: destroySchema }),
]);

/** Why `change.private` is not a template step, or undefined when it is one. */
export const checkStep = (change: Change): string | undefined => payloadProblem(stepSchema, change);

/** The step of a change this kind planned (decoded: a saved plan may have been edited). */
export const stepOf = (change: Change): Step => payloadOf(stepSchema, change) as Step;

/** The create half of a step, if any. */
export const createOf = (step: Step): CreateStep | undefined => (step.op === "create" ? step : step.op === "replace" ? step.create : undefined);
/** The destroy half of a step, if any. */
export const destroyOf = (step: Step): DestroyStep | undefined => (step.op === "destroy" ? step : step.op === "replace" ? step.destroy : undefined);
