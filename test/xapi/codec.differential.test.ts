/**
 * DESIGN §6: our decoder must agree value for value with the `xmlrpc` package's Deserializer.
 * Each case is a random value written in a random but valid form, cut into random chunks (inside
 * tags and UTF-8 sequences too) and fed to both decoders the way a socket delivers it.
 */
import { XmlRpcDecoder } from "../../src/xapi/codec";
import { xmlrpcDecodeResponse } from "../../bench/xmlrpc-reference";
import { randomChunks, randomValue, seeded, writeResponse } from "./random-xmlrpc";
import { vmGetAllRecordsBody } from "../../bench/vm-records-body";

function decodeOurs(chunks: readonly Buffer[]): unknown {
  const decoder = new XmlRpcDecoder();
  for (const chunk of chunks) decoder.write(chunk);
  return decoder.endResponse().value;
}

describe("XmlRpcDecoder against xmlrpc's Deserializer", () => {
  it.each(Array.from({ length: 200 }, (_, i) => i))("agrees on random document #%i split into random chunks", async (seed) => {
    const rand = seeded(1000 + seed);
    const value = randomValue(rand);
    const chunks = randomChunks(rand, writeResponse(rand, value));
    const theirs = await xmlrpcDecodeResponse(chunks);
    expect(decodeOurs(chunks)).toEqual(theirs);
    expect(decodeOurs(chunks)).toEqual(value);
  });

  it("agrees on a VM.get_all_records body as XAPI writes it, fed in socket-sized chunks", async () => {
    const chunks = vmGetAllRecordsBody(60, 7);
    const theirs = await xmlrpcDecodeResponse(chunks);
    expect(decodeOurs(chunks)).toEqual(theirs);
  });

  it("agrees on the same body fed one byte at a time", async () => {
    const body = Buffer.concat(vmGetAllRecordsBody(3, 8));
    const bytes = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
    expect(decodeOurs(bytes)).toEqual(await xmlrpcDecodeResponse([body]));
  });
});
