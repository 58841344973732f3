/** Text of a typed scalar element → value, the way xmlrpc's Deserializer reads it (differential tests). */
import { parseXapiDateTime } from "./datetime";
import { XmlRpcDecodeError, type XmlRpcValue } from "./values";

export type Scalar = "string" | "int" | "i8" | "double" | "boolean" | "dateTime" | "name";
export type ValueScalar = Exclude<Scalar, "name">;

export function scalarValue(kind: ValueScalar, text: string): XmlRpcValue {
  switch (kind) {
    case "string":
      return text;
    case "int": {
      const trimmed = text.trim();
      if (!/^[+-]?\d+$/.test(trimmed)) throw new XmlRpcDecodeError(`expected an integer, got '${trimmed}'`);
      return Number(trimmed);
    }
    case "i8":
      // Kept as a decimal string, like XAPI's untyped int64 (and like xmlrpc does).
      if (!/^-?\d+$/.test(text)) throw new XmlRpcDecodeError(`expected an i8 integer, got '${text}'`);
      return text;
    case "double": {
      const n = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(n)) throw new XmlRpcDecodeError(`expected a double, got '${text}'`);
      return n;
    }
    case "boolean": {
      const t = text.trim();
      if (t !== "1" && t !== "0") throw new XmlRpcDecodeError(`expected boolean 1 or 0, got '${t}'`);
      return t === "1";
    }
    case "dateTime": {
      const date = parseXapiDateTime(text);
      if (!date) throw new XmlRpcDecodeError(`expected an ISO 8601 datetime, got '${text}'`);
      return date;
    }
    default:
      return assertNever(kind);
  }
}

function assertNever(kind: never): never {
  throw new XmlRpcDecodeError(`unknown scalar ${String(kind)}`);
}
