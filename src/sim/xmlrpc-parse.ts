/**
 * Typed access to the `xmlrpc` package's Deserializer (DESIGN §7: the simulator parses requests with an
 * implementation independent of our client's codec). `@types/xmlrpc` does not declare it, so the
 * CommonJS module is required here once and given a narrow type.
 */
import { Readable } from "node:stream";

interface Deserializer {
  deserializeMethodCall(stream: Readable, cb: (error: unknown, method?: string, params?: unknown[]) => void): void;
  deserializeMethodResponse(stream: Readable, cb: (error: unknown, value?: unknown) => void): void;
}
type DeserializerClass = new (encoding?: string) => Deserializer;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const DeserializerImpl = require("xmlrpc/lib/deserializer") as DeserializerClass;

export interface ParsedCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

/** Parse an XML-RPC `<methodCall>`; rejects with the parser's error on malformed input. */
export function parseMethodCall(input: Readable | string | Buffer): Promise<ParsedCall> {
  const stream = typeof input === "string" || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  return new Promise((resolve, reject) => {
    new DeserializerImpl("utf8").deserializeMethodCall(stream, (error, method, params) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve({ method: method ?? "", params: params ?? [] });
    });
  });
}

/** Parse an XML-RPC `<methodResponse>` (tests and the task `result` round trip use it). */
export function parseMethodResponse(input: Readable | string | Buffer): Promise<unknown> {
  const stream = typeof input === "string" || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  return new Promise((resolve, reject) => {
    new DeserializerImpl("utf8").deserializeMethodResponse(stream, (error, value) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(value);
    });
  });
}
