/**
 * The `xmlrpc` package's Deserializer, the reference our decoder is compared with (differential
 * tests and the codec bench). `@types/xmlrpc` does not declare it, so it gets a narrow type here.
 */
import { Readable } from "stream";

interface Deserializer {
  deserializeMethodCall(stream: Readable, cb: (error: unknown, method?: string, params?: unknown[]) => void): void;
  deserializeMethodResponse(stream: Readable, cb: (error: unknown, value?: unknown) => void): void;
}
type DeserializerClass = new (encoding?: string) => Deserializer;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const DeserializerImpl = require("xmlrpc/lib/deserializer") as DeserializerClass;

/** Decodes a `<methodResponse>` fed as the given chunks, the way xmlrpc's client reads a socket. */
export function xmlrpcDecodeResponse(chunks: readonly (Buffer | string)[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    new DeserializerImpl("utf8").deserializeMethodResponse(Readable.from(chunks, { objectMode: false }), (error, value) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(value);
    });
  });
}

/** Decodes a `<methodCall>` as the simulator (which parses requests with xmlrpc) will. */
export function xmlrpcDecodeCall(body: string): Promise<{ method: string; params: unknown[] }> {
  return new Promise((resolve, reject) => {
    new DeserializerImpl("utf8").deserializeMethodCall(Readable.from([Buffer.from(body)]), (error, method, params) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve({ method: method ?? "", params: params ?? [] });
    });
  });
}
