/**
 * HTTP-level checks of the transport. These answers (a 500 page, a wrong content type, a body cut
 * short, garbage) are what proxies and broken hosts produce and the simulator never does, so a plain
 * node server on loopback plays the misbehaving host here.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { createEndpoint, xmlRpcTransport, type Endpoint } from "../../src/xapi/transport";
import { isTransportError, isXapiError } from "../../src/xapi";
import { jsonRpcRecords } from "../../src/xapi/json-rpc";

type Answer = (res: http.ServerResponse) => void;
let answer: Answer = (res) => res.end();
let server: http.Server;
let endpoint: Endpoint;

const ok = (inner: string): string =>
  `<?xml version="1.0"?><methodResponse><params><param><value><struct>${inner}</struct></value></param></params></methodResponse>`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = createEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {}, 2000);
});

afterAll(async () => {
  endpoint.agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const call = (): Promise<unknown> => xmlRpcTransport(endpoint)("VM.get_all", ["OpaqueRef:s"]).catch((e: unknown) => e);

describe("xmlRpcTransport", () => {
  it("returns the Value of a Success answer", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/xml" });
      res.end(ok("<member><name>Status</name><value>Success</value></member><member><name>Value</name><value><array><data><value>OpaqueRef:1</value></data></array></value></member>"));
    };
    expect(await call()).toEqual(["OpaqueRef:1"]);
  });

  it("accepts a charset parameter on the content type", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/xml; charset=utf-8" });
      res.end(ok("<member><name>Status</name><value>Success</value></member><member><name>Value</name><value>x</value></member>"));
    };
    expect(await call()).toBe("x");
  });

  it("turns a Failure answer into XapiError", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/xml" });
      res.end(ok("<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>HANDLE_INVALID</value><value>VM</value><value>OpaqueRef:x</value></data></array></value></member>"));
    };
    expect(await call()).toMatchObject({ code: "HANDLE_INVALID", params: ["VM", "OpaqueRef:x"], method: "VM.get_all" });
  });

  it("treats HTTP 500 as an error even when its body is a valid XML-RPC success", async () => {
    answer = (res) => {
      res.writeHead(500, { "Content-Type": "text/xml" });
      res.end(ok("<member><name>Status</name><value>Success</value></member><member><name>Value</name><value>x</value></member>"));
    };
    const error = await call();
    expect(isTransportError(error, "HTTP_STATUS")).toBe(true);
    expect(error).toMatchObject({ status: 500 });
  });

  it("refuses a 200 answer that is not XML", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html><body>captive portal</body></html>");
    };
    expect(isTransportError(await call(), "BAD_RESPONSE")).toBe(true);
  });

  it("refuses XML that is not an XAPI {Status, Value} answer", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/xml" });
      res.end('<?xml version="1.0"?><methodResponse><params><param><value>just a string</value></param></params></methodResponse>');
    };
    expect(isTransportError(await call(), "BAD_RESPONSE")).toBe(true);
  });

  it("reports an answer cut short as ECONNRESET, not as a value", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/xml", "Content-Length": "5000" });
      res.write(ok("<member><name>Status</name><value>Success</value></member>").slice(0, 80));
      setTimeout(() => res.destroy(), 20);
    };
    const error = await call();
    expect(isTransportError(error, "ECONNRESET")).toBe(true);
    expect(isXapiError(error)).toBe(false);
  });

  it("refuses parameters it cannot encode before anything is sent", async () => {
    let requests = 0;
    answer = (res) => {
      requests++;
      res.end();
    };
    await expect(xmlRpcTransport(endpoint)("VM.set_name_label", ["OpaqueRef:s", undefined as never])).rejects.toMatchObject({ name: "XmlRpcEncodeError" });
    expect(requests).toBe(0);
  });

  it("reports a closed port as ECONNREFUSED, marked as never sent", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await xmlRpcTransport(createEndpoint(`http://127.0.0.1:${port}`, {}))("pool.get_all", []).catch((e: unknown) => e);
    expect(isTransportError(error, "ECONNREFUSED")).toBe(true);
    expect(error).toMatchObject({ sent: false });
  });
});

describe("jsonRpcRecords", () => {
  it("reports a host without JSON-RPC (text/xml on /jsonrpc, as old XAPI answers) so the caller uses XML-RPC", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "text/xml" });
      res.end("<methodResponse/>");
    };
    expect(await jsonRpcRecords(endpoint, "VM.get_all_records", ["OpaqueRef:s"], () => undefined)).toBe(false);
  });

  it("refuses a result that is no map of records (null, a list), and reads an empty map as no records", async () => {
    for (const [result, shape] of [["null", "null"], ["[]", "an array"], ['"x"', "a string"]]) {
      answer = (res) => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(`{"jsonrpc":"2.0","result":${result},"id":1}`);
      };
      const error = await jsonRpcRecords(endpoint, "VMSS.get_all_records", ["OpaqueRef:s"], () => undefined).catch((e: unknown) => e);
      expect(isTransportError(error, "BAD_RESPONSE")).toBe(true);
      expect((error as Error).message).toContain(`VMSS.get_all_records: the result is not a map of records (got ${shape})`);
    }
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"jsonrpc":"2.0","result":{},"id":1}');
    };
    const records: string[] = [];
    expect(await jsonRpcRecords(endpoint, "VMSS.get_all_records", ["OpaqueRef:s"], (ref) => records.push(ref))).toBe(true);
    expect(records).toEqual([]);
  });

  it("turns a JSON-RPC error into XapiError", async () => {
    answer = (res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"jsonrpc":"2.0","error":{"code":1,"message":"SESSION_INVALID","data":["OpaqueRef:s"]},"id":1}');
    };
    const error = await jsonRpcRecords(endpoint, "VM.get_all_records", ["OpaqueRef:s"], () => undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SESSION_INVALID", params: ["OpaqueRef:s"], method: "VM.get_all_records" });
  });
});
