import { type AttrValue, type Attrs, errorAt, warningAt } from "../model";
import { objectUuid, type DiffArgs, type DiffResult, type Live } from "./kind";
import { toPrivate, type Flavor, type OnDestroy } from "./point-in-time-steps";
import { decodeSpec, digestOf, encodeSpec } from "./spec-record";

/**
 * The VM a managed snapshot was taken of no longer exists (VM.destroy leaves its snapshots): the
 * snapshot stays managed as it is. Names still update in place; anything that would need the VM
 * (a retake) is refused, and `vm` / `ignore_disks` keep their last applied digests.
 */
export function orphanDiff(flavor: Flavor, args: DiffArgs, live: Live): DiffResult | undefined {
  const spec = args.spec as Attrs;
  const rec = live.recorded;
  if (!rec) return undefined;
  const str = (k: string): string => (typeof spec[k] === "string" ? (spec[k] as string) : "");
  const hashed: Record<string, AttrValue> = { name_label: str("name_label"), name_description: str("name_description"),
    retake_token: typeof spec.retake_token === "string" ? spec.retake_token : null };
  if (flavor.immutable.includes("quiesce")) hashed.quiesce = spec.quiesce === true;
  const reads = [{ uuid: objectUuid(live), address: args.address }];
  const changed = ["retake_token", "quiesce"].filter((a) => a in hashed && rec.digests[a] !== digestOf(hashed[a]));
  if (changed.length > 0 || args.replaceRequested) {
    return { diagnostics: [errorAt(args.address, `cannot retake this ${flavor.noun}: the VM it was taken of no longer exists`,
      `Its source VM was destroyed; the ${flavor.noun} ${objectUuid(live)} is kept as it is. Revert the change of ${changed.join(", ") || "--replace"}, or remove the resource to destroy it.`)], reads };
  }
  const onDestroy: OnDestroy = spec.on_destroy === "keep_disks" ? "keep_disks" : "uninstall";
  const keep = Object.fromEntries(["vm", "ignore_disks"].flatMap((a) => (rec.digests[a] ? [[a, rec.digests[a] as string]] : [])));
  const marker = encodeSpec({ hashed, kept: { on_destroy: onDestroy }, digests: keep });
  const before: Record<string, AttrValue> = { ...live.attrs, on_destroy: rec.kept.on_destroy ?? "uninstall" };
  const after: Record<string, AttrValue> = { ...before, name_label: hashed.name_label as string, name_description: hashed.name_description as string, on_destroy: onDestroy };
  const warning = warningAt(args.address, `the VM this ${flavor.noun} was taken of no longer exists; the ${flavor.noun} is kept as it is`);
  const renamed = live.attrs.name_label !== after.name_label;
  const redescribed = live.attrs.name_description !== after.name_description;
  if (!renamed && !redescribed && decodeSpec(marker)?.sha256 === rec.sha256) {
    return { planned: { action: "no-op", before, after: before, notes: [] }, diagnostics: [warning], reads };
  }
  return {
    planned: { action: "update", before, after, notes: [],
      private: toPrivate({ op: "update", object: objectUuid(live), spec: marker,
        ...(renamed ? { name_label: after.name_label as string } : {}), ...(redescribed ? { name_description: after.name_description as string } : {}) }) },
    diagnostics: [warning], reads,
  };
}
