/**
 * The messages XAPI generates for every class (reference §3.8, §1.6): get_all, get_all_records,
 * get_all_records_where, get_record, get_by_uuid, get_by_name_label, get_<field>, and for RW fields
 * set_<field>, add_to_<map>/remove_from_<map> (MAP_DUPLICATE_KEY on an existing key: an atomic
 * test-and-set, which is what xsnap's pool lock relies on), add_<set>/remove_<set> (tags).
 */
import { XapiFailure } from "./errors";
import { compileFilter, parseFilter } from "./filter";
import { p, RecordMap, type Registry } from "./registry";
import { CLASSES, cloneValue, type DbValue, type Field, recordToWire, toWire } from "./schema";

/** Classes whose objects are the pool's content (their setters count as mutating calls). */
const SESSION_LEVEL = new Set(["task", "message"]);

export function registerGenericMethods(reg: Registry): void {
  for (const schema of CLASSES.values()) {
    const cls = schema.name;
    const self = p(`${cls} ref`, "self");
    const mutating = !SESSION_LEVEL.has(cls);
    reg.set(`${cls}.get_all`, { params: [], handler: (ctx) => [...ctx.sim.db.table(cls).keys()] });
    reg.set(`${cls}.get_all_records`, { params: [], handler: (ctx) => new RecordMap(cls, [...ctx.sim.db.table(cls).keys()]) });
    reg.set(`${cls}.get_all_records_where`, {
      params: [p("string", "expr")],
      handler: (ctx, [expr]) => {
        const matches = compileFilter(cls, parseFilter(String(expr)));
        const refs = [...ctx.sim.db.table(cls)].filter(([, rec]) => matches(rec)).map(([ref]) => ref);
        return new RecordMap(cls, refs);
      },
    });
    reg.set(`${cls}.get_record`, {
      params: [self],
      handler: (ctx, [ref]) => recordToWire(cls, ctx.sim.db.require(cls, String(ref))),
    });
    reg.set(`${cls}.get_by_uuid`, {
      params: [p("string", "uuid")],
      handler: (ctx, [uuid]) => {
        const hit = ctx.sim.db.byUuid(String(uuid));
        if (!hit || hit.cls !== cls) throw new XapiFailure("UUID_INVALID", [cls, String(uuid)]);
        return hit.ref;
      },
    });
    if (schema.byName.has("name_label")) {
      reg.set(`${cls}.get_by_name_label`, {
        params: [p("string", "label")],
        handler: (ctx, [label]) =>
          [...ctx.sim.db.table(cls)].filter(([, rec]) => rec.name_label === label).map(([ref]) => ref),
      });
    }
    for (const field of schema.fields) registerFieldMethods(reg, cls, field, mutating);
  }
}

function registerFieldMethods(reg: Registry, cls: string, field: Field, mutating: boolean): void {
  const self = p(`${cls} ref`, "self");
  reg.set(`${cls}.get_${field.name}`, {
    params: [self],
    handler: (ctx, [ref]) => toWire(field.type, ctx.sim.db.require(cls, String(ref))[field.name] ?? field.defaultValue()),
  });
  if (field.qualifier !== "w") return;
  reg.set(`${cls}.set_${field.name}`, {
    params: [self, { name: "value", type: field.type }],
    mutating,
    handler: (ctx, [ref, value]) => {
      ctx.sim.db.require(cls, String(ref));
      ctx.sim.db.set(cls, String(ref), field.name, value as DbValue);
    },
  });
  const type = field.type;
  if (type.kind === "map") {
    reg.set(`${cls}.add_to_${field.name}`, {
      params: [self, { name: "key", type: type.key }, { name: "value", type: type.value }],
      mutating,
      handler: (ctx, [ref, key, value]) => {
        const rec = ctx.sim.db.require(cls, String(ref));
        const map = rec[field.name] as Record<string, DbValue>;
        // One synchronous check-and-write: no other call can interleave (XAPI's DB lock does the same).
        if (Object.prototype.hasOwnProperty.call(map, String(key))) {
          throw new XapiFailure("MAP_DUPLICATE_KEY", [cls, field.name, String(ref), String(key)]);
        }
        ctx.sim.db.set(cls, String(ref), field.name, { ...map, [String(key)]: value as DbValue });
      },
    });
    reg.set(`${cls}.remove_from_${field.name}`, {
      params: [self, { name: "key", type: type.key }],
      mutating,
      handler: (ctx, [ref, key]) => {
        const map = ctx.sim.db.require(cls, String(ref))[field.name] as Record<string, DbValue>;
        if (!Object.prototype.hasOwnProperty.call(map, String(key))) return; // absent key: silent no-op
        const next = cloneValue(map) as Record<string, DbValue>;
        delete next[String(key)];
        ctx.sim.db.set(cls, String(ref), field.name, next);
      },
    });
  } else if (type.kind === "set") {
    reg.set(`${cls}.add_${field.name}`, {
      params: [self, { name: "value", type: type.of }],
      mutating,
      handler: (ctx, [ref, value]) => {
        const set = ctx.sim.db.require(cls, String(ref))[field.name] as DbValue[];
        if (!set.includes(value as DbValue)) ctx.sim.db.set(cls, String(ref), field.name, [...set, value as DbValue]);
      },
    });
    reg.set(`${cls}.remove_${field.name}`, {
      params: [self, { name: "value", type: type.of }],
      mutating,
      handler: (ctx, [ref, value]) => {
        const set = ctx.sim.db.require(cls, String(ref))[field.name] as DbValue[];
        if (set.includes(value as DbValue)) ctx.sim.db.set(cls, String(ref), field.name, set.filter((x) => x !== value));
      },
    });
  }
}
