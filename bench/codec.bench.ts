/**
 * DESIGN §6: our streaming decoder vs the `xmlrpc` package's Deserializer on a
 * `VM.get_all_records`-shaped body. xmlrpc needs ~50 s for 50,000 records, so the ratio is measured
 * on a 5,000-record document decoded by both (same bytes, same 64 KiB chunks, median of 3 runs
 * each, interleaved); ours also decodes the full 50,000-record (~150 MB) document. Set
 * BENCH_CODEC_FULL=1 to time xmlrpc on the 50,000-record document too (≈1 minute).
 */
import { XmlRpcDecoder } from "../src/xapi/codec";
import { vmGetAllRecordsBody } from "./vm-records-body";
import { xmlrpcDecodeResponse } from "./xmlrpc-reference";

const REQUIRED_RATIO = 10;

function mib(chunks: readonly Buffer[]): string {
  return (chunks.reduce((n, c) => n + c.length, 0) / 1048576).toFixed(1);
}

function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

function decodeOurs(chunks: readonly Buffer[]): { ms: number; records: number } {
  settle();
  const start = process.hrtime.bigint();
  const decoder = new XmlRpcDecoder();
  for (const chunk of chunks) decoder.write(chunk);
  const { value } = decoder.endResponse();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, records: countRecords(value) };
}

async function decodeXmlrpc(chunks: readonly Buffer[]): Promise<{ ms: number; records: number }> {
  settle();
  const start = process.hrtime.bigint();
  const value = await xmlrpcDecodeResponse(chunks);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, records: countRecords(value) };
}

function countRecords(response: unknown): number {
  const value = (response as { Value?: object } | null)?.Value;
  return value ? Object.keys(value).length : 0;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const small = vmGetAllRecordsBody(5_000);
  console.log(`codec: 5,000-record body ${mib(small)} MiB; decoding each 3× (interleaved)`);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const a = decodeOurs(small);
    const b = await decodeXmlrpc(small);
    if (a.records !== 5_000 || b.records !== 5_000) throw new Error(`record counts ${a.records} / ${b.records}`);
    ours.push(a.ms);
    theirs.push(b.ms);
  }
  const ratio = median(theirs) / median(ours);
  console.log(`  xmlrpc Deserializer: median ${median(theirs).toFixed(0)} ms  (${theirs.map((t) => t.toFixed(0)).join(", ")})`);
  console.log(`  xsnap decoder:       median ${median(ours).toFixed(0)} ms  (${ours.map((t) => t.toFixed(0)).join(", ")})`);
  console.log(`  ratio (same 5,000-record document): ${ratio.toFixed(1)}× faster (bar: ≥ ${REQUIRED_RATIO}×)`);

  const big = vmGetAllRecordsBody(50_000);
  const full = decodeOurs(big);
  console.log(`codec: 50,000-record body ${mib(big)} MiB: xsnap decoder ${full.ms.toFixed(0)} ms (${full.records} records)`);
  if (process.env.BENCH_CODEC_FULL === "1") {
    const slow = await decodeXmlrpc(big);
    console.log(`  xmlrpc Deserializer on the same 50,000-record body: ${slow.ms.toFixed(0)} ms; ratio ${(slow.ms / full.ms).toFixed(1)}×`);
  }
  if (ratio < REQUIRED_RATIO) {
    console.log(`codec: FAIL, ratio ${ratio.toFixed(1)}× is below ${REQUIRED_RATIO}×`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
