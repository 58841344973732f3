// Child process for the pool-view bench: the Vates xen-api client (ESM, so not loadable inside the
// TypeScript/CommonJS bench) logs in and merely fetches the records xsnap reads, then reports the time.
// usage: node bench/xen-api-fetch.mjs URL TRANSPORT   (TRANSPORT: auto | xml-rpc | json-rpc)
import { createClient } from "xen-api";

const [url, transport = "auto"] = process.argv.slice(2);
const classes = ["VM", "VDI", "VBD", "SR", "VMSS", "pool", "host"];
const start = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const xapi = createClient({ url, auth: { user: "root", password: "xsnap" }, allowUnauthorized: true, transport, watchEvents: false });
await xapi.connect();
const results = await Promise.all(classes.map((cls) => xapi.call(`${cls}.get_all_records`)));
const cpu = process.cpuUsage(cpu0);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const counts = Object.fromEntries(classes.map((cls, i) => [cls, Object.keys(results[i]).length]));
await xapi.disconnect();
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, counts, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
