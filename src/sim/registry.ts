/**
 * The method table: every wire method the simulator answers, with its declared parameters (session
 * excluded), whether `Async.` is allowed, whether it changes the pool, and its handler. Parameters are
 * decoded by their datamodel type the way XAPI's rpclib does (reference §1.2 "Input decoding").
 */
import { XapiFailure } from "./errors";
import { type DbValue, type FieldType, parseType } from "./schema";
import type { EncodableValue } from "./xml-encode";
import type { Simulator } from "./simulator";

export interface ParamSpec {
  readonly name: string;
  readonly type: FieldType;
  /** A record argument (e.g. VMSS.create's `args`): passed through as received, checked by the handler. */
  readonly record?: boolean;
}

/** What a handler sees of its call. */
export interface CallContext {
  readonly sim: Simulator;
  /** The session ref ("" for session.login_with_password and system.*). */
  readonly session: string;
  /** Wire name without `Async.`. */
  readonly method: string;
  /** The task of an `Async.` call; also the key of this call in `current_operations`. */
  readonly task: string | undefined;
  readonly opKey: string;
  /**
   * The time the operation takes (`--task-ms`): progress advances and a cancel request ends it with
   * TASK_CANCELLED. Handlers call it between validating and applying their effects.
   */
  work(options?: { readonly cancellable?: boolean }): Promise<void>;
}

/** A lazily encoded `ref → record` map: large `get_all_records` answers are streamed from it. */
export class RecordMap {
  constructor(readonly cls: string, readonly refs: readonly string[]) {}
}

export type HandlerResult = EncodableValue | RecordMap | void;

export interface MethodDef {
  readonly params: readonly ParamSpec[];
  /** How many trailing params may be omitted (versioned optional params, reference §1.4). */
  readonly optional?: number;
  /** false for session.login_with_password and system.* */
  readonly session?: boolean;
  readonly async?: boolean;
  /** Counted in /sim/stats `mutating_calls`: changes pool objects (not sessions, tasks or events). */
  readonly mutating?: boolean;
  /** Lifecycle Removed: dispatches, checks the session, answers MESSAGE_REMOVED (reference §1.4). */
  readonly removed?: boolean;
  readonly handler: (ctx: CallContext, args: DbValue[]) => HandlerResult | Promise<HandlerResult>;
}

export type Registry = Map<string, MethodDef>;

/** `p("VM ref", "vm")` */
export const p = (type: string, name: string): ParamSpec => ({ name, type: parseType(type) });

const typeError = (param: ParamSpec, value: unknown): XapiFailure =>
  new XapiFailure("INTERNAL_ERROR", [`Rpc type error: parameter ${param.name} expected ${param.type.kind}, got ${JSON.stringify(value)}`]);

/** Decode one received XML-RPC / JSON-RPC value into the stored representation of its type. */
export function decodeParam(param: ParamSpec, value: unknown, type: FieldType = param.type): DbValue {
  if (param.record) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw typeError(param, value);
    return value as DbValue;
  }
  switch (type.kind) {
    case "string":
    case "ref":
      if (typeof value === "string") return value;
      if (typeof value === "number") return String(value);
      throw typeError(param, value);
    case "int": {
      const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isInteger(n)) throw typeError(param, value);
      return n;
    }
    case "float": {
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      if (Number.isNaN(n)) throw typeError(param, value);
      return n;
    }
    case "bool":
      // Only <boolean> is accepted; a string "true" is rejected (rpclib `bool_of_rpc`).
      if (typeof value === "boolean") return value;
      throw typeError(param, value);
    case "datetime":
      if (value instanceof Date) return value;
      if (typeof value === "string") {
        const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(value);
        if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
      }
      throw typeError(param, value);
    case "enum": {
      // Enums are matched case-insensitively and stored in datamodel spelling.
      const text = typeof value === "string" ? value.toLowerCase() : "";
      const match = type.values.find((v) => v.toLowerCase() === text);
      if (match === undefined) throw new XapiFailure("INVALID_VALUE", [param.name, String(value)]);
      return match;
    }
    case "set":
      if (!Array.isArray(value)) throw typeError(param, value);
      return value.map((v) => decodeParam(param, v, type.of));
    case "map": {
      if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Date) throw typeError(param, value);
      const out: Record<string, DbValue> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = decodeParam(param, v, type.value);
      return out;
    }
  }
}
