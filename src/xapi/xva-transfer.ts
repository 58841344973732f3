/**
 * Streaming a VM (an XVA) out of and into a pool over XAPI's HTTP handlers (reference/xapi.md §3.13,
 * §3.15), each tracked by a task made with `task.create`, because the task is the only place XAPI says
 * why a transfer failed: an export's body simply ends when the connection closes (no Content-Length),
 * and an import is answered 200 before its body is read. Knows nothing of plans or files.
 */
import type { IncomingMessage } from "node:http";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { isTransportError, XapiError } from "./errors";
import type { XapiClient } from "./index";
import type { PutOptions, TransferOptions } from "./transport";
import type { OpaqueRef, XapiValue } from "./types";

/** What the transfers need of the client (a fake is five functions). */
export type TransferClient = Pick<XapiClient, "call" | "httpGet" | "httpPut" | "waitTask">;

export interface ExportXvaOptions extends TransferOptions {
  /** The VM or snapshot to export (XAPI exports Halted/Suspended VMs; snapshots qualify). */
  readonly vm: OpaqueRef;
  /** `use_compression=true`: the pool gzips the whole tar stream. */
  readonly compress?: boolean;
  /** Bytes received so far, as they arrive. */
  readonly onBytes?: (bytes: number) => void;
}

/** An export in progress. */
export interface XvaExport {
  /**
   * The XVA bytes. It ends only once the pool's task reports success; when the export fails it errors
   * with the task's XapiError (VM_BAD_POWER_STATE, …), else with the TransportError that broke it.
   */
  readonly stream: Readable;
  readonly task: OpaqueRef;
  /** Bytes delivered so far. */
  bytes(): number;
}

const asRef = (v: XapiValue): OpaqueRef => {
  if (typeof v !== "string" || !v.startsWith("OpaqueRef:")) throw new XapiError("INTERNAL_ERROR", ["task.create did not return a task ref"], "task.create");
  return v as OpaqueRef;
};

/** How the task ended (or `pending` when it did not within `graceMs`, or could not be read). */
async function taskOutcome(client: TransferClient, task: OpaqueRef, method: string, graceMs: number): Promise<
  { readonly status: "success"; readonly result: XapiValue } | { readonly status: "failure"; readonly error: XapiError } | { readonly status: "pending" }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), graceMs);
  try {
    return { status: "success", result: await client.waitTask(task, method, { signal: controller.signal }) };
  } catch (error) {
    return error instanceof XapiError ? { status: "failure", error } : { status: "pending" };
  } finally {
    clearTimeout(timer);
  }
}

/** The task's error when it failed (or fails within `graceMs`), else undefined. */
async function taskError(client: TransferClient, task: OpaqueRef, method: string, graceMs: number): Promise<XapiError | undefined> {
  const outcome = await taskOutcome(client, task, method, graceMs);
  return outcome.status === "failure" ? outcome.error : undefined;
}

const destroyTask = (client: TransferClient, task: OpaqueRef): Promise<void> => client.call("task.destroy", [task]).then(() => undefined, () => undefined);

/**
 * `GET /export?ref=…&task_id=…` (redirects followed). Resolves once the pool answered 200 with a
 * stream of the XVA. Throws the task's XapiError when the pool refuses (HTTP 500 + failed task), else
 * a TransportError. The task is destroyed when the stream ends or fails.
 */
export async function exportXva(client: TransferClient, opts: ExportXvaOptions): Promise<XvaExport> {
  const task = asRef(await client.call("task.create", ["xsnap export", ""]));
  const query: Record<string, string> = { ref: opts.vm, task_id: task, ...(opts.compress ? { use_compression: "true" } : {}) };
  let res: IncomingMessage;
  try {
    res = await client.httpGet("/export", query, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}) });
  } catch (error) {
    const reason = isTransportError(error, "HTTP_STATUS") ? await taskError(client, task, "VM.export", 5000) : undefined;
    if (!reason) await client.call("task.cancel", [task]).catch(() => undefined);
    await destroyTask(client, task);
    throw reason ?? error;
  }
  let bytes = 0;
  let done = false;
  const settle = (): void => {
    if (done) return;
    done = true;
    void destroyTask(client, task);
  };
  // Backpressure: pipe() pauses the socket while the consumer is behind.
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      opts.onBytes?.(bytes);
      callback(null, chunk);
    },
    // The body ended: a complete export only if the task says so (a cut connection ends it too).
    flush(callback: TransformCallback) {
      client.waitTask(task, "VM.export", opts.signal ? { signal: opts.signal } : {}).then(
        () => { settle(); callback(); },
        (error: unknown) => { settle(); callback(error as Error); },
      );
    },
  });
  res.on("error", (error) => {
    void taskError(client, task, "VM.export", 5000).then((reason) => {
      if (!reason) void client.call("task.cancel", [task]).catch(() => undefined);
      settle();
      stream.destroy(reason ?? error);
    });
  });
  stream.on("close", () => {
    if (done) return;
    // The consumer gave up (destroyed the stream): stop the transfer and the pool's work.
    res.destroy();
    void client.call("task.cancel", [task]).catch(() => undefined).then(settle);
  });
  res.pipe(stream);
  return { stream, task, bytes: () => bytes };
}

export interface ImportXvaOptions extends PutOptions {
  /** Opens the XVA bytes; called again when the pool redirects the upload to another host. */
  readonly body: () => Readable;
  /** Target SR; unset = the pool's default SR. */
  readonly sr?: OpaqueRef;
  /** The task's ref as soon as it exists (to cancel it from elsewhere). */
  readonly onTask?: (task: OpaqueRef) => void;
}

/**
 * `PUT /import?sr_id=…&task_id=…`, streaming `body` (give `length`: XAPI refuses chunked uploads),
 * then waits for the task and returns the imported VM refs from its result (an exported snapshot
 * arrives as one template). Throws the task's XapiError (IMPORT_ERROR, IMPORT_ERROR_PREMATURE_EOF,
 * SR_BACKEND_FAILURE_44, …) whenever the pool recorded one, else the TransportError; an upload cut
 * after the task succeeded is a success. On failure XAPI itself removes what it had created
 * (reference §3.15.3).
 */
export async function importXva(client: TransferClient, opts: ImportXvaOptions): Promise<OpaqueRef[]> {
  const task = asRef(await client.call("task.create", ["xsnap import", ""]));
  opts.onTask?.(task);
  try {
    const query: Record<string, string> = { task_id: task, ...(opts.sr ? { sr_id: opts.sr } : {}) };
    const put: PutOptions = {
      ...(opts.length !== undefined ? { length: opts.length } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    };
    try {
      await client.httpPut("/import", query, opts.body, put);
    } catch (error) {
      // The pool stops reading and closes when the import fails, and also when it succeeded: XAPI
      // stops once every disk is covered, so the tar's end blocks may still be on their way. The
      // task is the outcome either way.
      const outcome = await taskOutcome(client, task, "VM.import", 10_000);
      if (outcome.status === "success") return vmRefs(outcome.result);
      if (outcome.status === "pending") await client.call("task.cancel", [task]).catch(() => undefined);
      throw outcome.status === "failure" ? outcome.error : error;
    }
    const result = await client.waitTask(task, "VM.import", opts.signal ? { signal: opts.signal } : {});
    return vmRefs(result);
  } finally {
    await destroyTask(client, task);
  }
}

/** The import task's result: the VM ref set (`<value><array>…`), or one ref from very old hosts. */
function vmRefs(result: XapiValue): OpaqueRef[] {
  const list = Array.isArray(result) ? result : [result];
  const refs = list.filter((v): v is string => typeof v === "string" && v.startsWith("OpaqueRef:")) as OpaqueRef[];
  if (refs.length === 0) throw new XapiError("INTERNAL_ERROR", ["the import task returned no VM"], "VM.import");
  return refs;
}
