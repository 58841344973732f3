/**
 * The RPC endpoints over HTTP (reference §1.1–§1.3): XML-RPC on any POST path but /jsonrpc, always
 * HTTP 200 `text/xml` with `{Status, Value}` / `{Status: "Failure", ErrorDescription}`; JSON-RPC 1.0/2.0
 * on /jsonrpc. Large `get_all_records` answers are encoded record by record into the socket with
 * backpressure, so a 20,000-snapshot pool never exists as one string.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { drainedOrClosed } from "./http-drain";
import { type CallOutcome, Simulator } from "./simulator";
import { RecordMap } from "./registry";
import { ByteSink } from "./byte-sink";
import type { RecordEncodings, WireFormat } from "./record-encodings";
import { writeJsonString, writeRecordJson, writeRecordXml, writeXmlMemberHead, writeXmlMemberTail } from "./record-bytes";
import { type DbRecord, toJsonValue } from "./schema";
import { parseMethodCall } from "./xmlrpc-parse";
import { encodeFailure, encodeMethodResponse, escapeXmlText, SUCCESS_HEAD, SUCCESS_TAIL } from "./xml-encode";

const RPC_HEADERS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "X-Requested-With" };
const FLUSH_BYTES = 1024 * 1024;

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

/**
 * A `ref → record` struct, encoded record by record into large Buffers and written with
 * backpressure, so a 20,000-snapshot pool never exists as one string (nor as one Buffer).
 */
async function streamRecords(sim: Simulator, res: ServerResponse, map: RecordMap, envelope: { contentType: string; head: string; tail: string; json: boolean }): Promise<void> {
  const { json } = envelope;
  res.writeHead(200, { ...RPC_HEADERS, "Content-Type": envelope.contentType });
  const sink = new ByteSink();
  sink.text(envelope.head);
  sink.text(json ? "{" : "<value><struct>");
  const out: RecordOutput = { sink, cache: sim.db.encodings, format: json ? "json" : "xml" };
  let first = true;
  for (const ref of map.refs) {
    if (res.destroyed) return;
    const rec = sim.db.get(map.cls, ref);
    if (!rec) continue;
    if (json) {
      if (!first) sink.byte(0x2c); // ,
      writeJsonString(sink, ref);
      sink.byte(0x3a); // :
      appendRecord(out, map.cls, ref, rec);
    } else {
      writeXmlMemberHead(sink, ref);
      appendRecord(out, map.cls, ref, rec);
      writeXmlMemberTail(sink);
    }
    first = false;
    if (sink.size >= FLUSH_BYTES) await send(res, sink);
  }
  sink.text(json ? "}" : "</struct></value>");
  sink.text(envelope.tail);
  await send(res, sink);
  res.end();
}

interface RecordOutput {
  readonly sink: ByteSink;
  readonly cache: RecordEncodings;
  readonly format: WireFormat;
}

/** A record's encoding: the kept one, else encoded now (and kept while the budget allows). */
function appendRecord(out: RecordOutput, cls: string, ref: string, rec: DbRecord): void {
  const known = out.cache.get(out.format, cls, ref);
  if (known) return out.sink.bytes(known);
  if (!out.cache.hasRoom()) return encodeRecord(out.sink, out.format, cls, rec);
  out.sink.bytes(out.cache.encode(out.format, cls, ref, (slab) => encodeRecord(slab, out.format, cls, rec)));
}

function encodeRecord(sink: ByteSink, format: WireFormat, cls: string, rec: DbRecord): void {
  if (format === "json") writeRecordJson(sink, cls, rec);
  else writeRecordXml(sink, cls, rec);
}

/** Hand what the sink holds to the socket (one writev), waiting for 'drain' when its buffer is full. */
async function send(res: ServerResponse, sink: ByteSink): Promise<void> {
  const chunks = sink.take();
  if (chunks.length === 0) return;
  res.cork();
  let more = true;
  for (const chunk of chunks) more = res.write(chunk);
  res.uncork();
  if (!more && !res.destroyed) await drainedOrClosed(res);
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
  if (outcome.value instanceof RecordMap) return streamRecords(sim, res, outcome.value, { contentType: "text/xml", head: SUCCESS_HEAD, tail: SUCCESS_TAIL, json: false });
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
  if (outcome.value instanceof RecordMap) return streamRecords(sim, res, outcome.value, { contentType: "application/json", head, tail, json: true });
  sendWhole(res, "application/json", head + JSON.stringify(toJsonValue(sim.materialize(outcome.value))) + tail);
}
