/**
 * The RPC endpoints over HTTP (reference §1.1–§1.3): XML-RPC on any POST path but /jsonrpc, always
 * HTTP 200 `text/xml` with `{Status, Value}` / `{Status: "Failure", ErrorDescription}`; JSON-RPC 1.0/2.0
 * on /jsonrpc. Large `get_all_records` answers are encoded record by record into the socket with
 * backpressure, so a 20,000-snapshot pool never exists as one string.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type CallOutcome, Simulator } from "./simulator";
import { RecordMap } from "./registry";
import { type DbRecord, encodeRecordInto, encodeRecordJson, toJsonValue } from "./schema";
import { parseMethodCall } from "./xmlrpc-parse";
import { encodeFailure, encodeMethodResponse, escapeXmlText, SUCCESS_HEAD, SUCCESS_TAIL } from "./xml-encode";

const RPC_HEADERS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "X-Requested-With" };
const FLUSH_BYTES = 256 * 1024;

export interface RpcHooks {
  /** Extra delay before answering (`--latency-ms`, `/sim/faults {latency_ms}`). */
  latencyMs(): number;
  /** Connections held open by a "hang" fault, closed on shutdown. */
  hold(res: ServerResponse): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendWhole(res: ServerResponse, contentType: string, body: string): void {
  res.writeHead(200, { ...RPC_HEADERS, "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** Resolves on 'drain' or 'close', removing both listeners (a race of two `once` calls would leak one). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Write `parts` as they come, waiting for 'drain' whenever the socket buffer is full. */
class StreamWriter {
  private buffer: string[] = [];
  private size = 0;
  constructor(private readonly res: ServerResponse) {}
  push(...parts: string[]): void {
    for (const part of parts) {
      this.buffer.push(part);
      this.size += part.length;
    }
  }
  /** Encode a record directly into the buffer. */
  encodeRecord(cls: string, rec: DbRecord): void {
    const before = this.buffer.length;
    encodeRecordInto(cls, rec, this.buffer);
    for (let i = before; i < this.buffer.length; i++) this.size += (this.buffer[i] as string).length;
  }
  async maybeFlush(): Promise<void> {
    if (this.size >= FLUSH_BYTES) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.buffer.join("");
    this.buffer = [];
    this.size = 0;
    if (!this.res.write(text)) await drained(this.res);
  }
}

async function streamRecords(sim: Simulator, res: ServerResponse, map: RecordMap, contentType: string, head: string, tail: string, json: boolean): Promise<void> {
  res.writeHead(200, { ...RPC_HEADERS, "Content-Type": contentType });
  const out = new StreamWriter(res);
  out.push(head, json ? "{" : "<value><struct>");
  let first = true;
  for (const ref of map.refs) {
    if (res.destroyed) return;
    const rec = sim.db.get(map.cls, ref);
    if (!rec) continue;
    if (json) {
      out.push(first ? "" : ",", JSON.stringify(ref), ":", encodeRecordJson(map.cls, rec));
    } else {
      out.push("<member><name>", escapeXmlText(ref), "</name>");
      out.encodeRecord(map.cls, rec);
      out.push("</member>");
    }
    first = false;
    await out.maybeFlush();
  }
  out.push(json ? "}" : "</struct></value>", tail);
  await out.flush();
  res.end();
}

function dropOrHang(outcome: CallOutcome, req: IncomingMessage, res: ServerResponse, hooks: RpcHooks): boolean {
  if (outcome.kind === "drop") {
    req.socket.destroy();
    return true;
  }
  if (outcome.kind === "hang") {
    hooks.hold(res);
    return true;
  }
  return false;
}

export async function handleXmlRpc(sim: Simulator, req: IncomingMessage, res: ServerResponse, hooks: RpcHooks): Promise<void> {
  let call: { method: string; params: readonly unknown[] };
  try {
    call = await parseMethodCall(await readBody(req));
  } catch (e) {
    // A body that is not XML-RPC at all escapes as HTTP 500 (api_server.ml l.158-159).
    res.writeHead(500, { "Content-Type": "text/html" });
    res.end(`<html><body><h1>HTTP 500 internal server error</h1>${escapeXmlText(e instanceof Error ? e.message : String(e))}</body></html>`);
    return;
  }
  const outcome = await sim.call(call.method, call.params);
  const latency = hooks.latencyMs();
  if (latency > 0) await sleep(latency);
  if (dropOrHang(outcome, req, res, hooks)) return;
  if (outcome.kind === "failure") return sendWhole(res, "text/xml", encodeFailure(outcome.code, outcome.params));
  if (outcome.kind !== "success") return;
  if (outcome.value instanceof RecordMap) return streamRecords(sim, res, outcome.value, "text/xml", SUCCESS_HEAD, SUCCESS_TAIL, false);
  sendWhole(res, "text/xml", encodeMethodResponse(sim.materialize(outcome.value)));
}

export async function handleJsonRpc(sim: Simulator, req: IncomingMessage, res: ServerResponse, hooks: RpcHooks): Promise<void> {
  let request: { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
  try {
    request = JSON.parse(await readBody(req)) as typeof request;
  } catch {
    return sendWhole(res, "application/json", JSON.stringify({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null }));
  }
  const v2 = request.jsonrpc === "2.0";
  const id = request.id ?? null;
  const params = Array.isArray(request.params) ? request.params : [];
  const outcome = await sim.call(String(request.method ?? ""), params);
  const latency = hooks.latencyMs();
  if (latency > 0) await sleep(latency);
  if (dropOrHang(outcome, req, res, hooks)) return;
  if (outcome.kind === "failure") {
    const error = v2 ? { error: { code: 1, message: outcome.code, data: outcome.params } } : { error: [outcome.code, ...outcome.params] };
    return sendWhole(res, "application/json", JSON.stringify({ ...(v2 ? { jsonrpc: "2.0" } : { result: null }), ...error, id }));
  }
  if (outcome.kind !== "success") return;
  const head = v2 ? '{"jsonrpc":"2.0","result":' : '{"result":';
  const tail = `${v2 ? "" : ',"error":null'},"id":${JSON.stringify(id)}}`;
  if (outcome.value instanceof RecordMap) return streamRecords(sim, res, outcome.value, "application/json", head, tail, true);
  sendWhole(res, "application/json", head + JSON.stringify(toJsonValue(sim.materialize(outcome.value))) + tail);
}
