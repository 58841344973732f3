// DESIGN §4 small print: a usage error prints one line and where the help is, not the whole help;
// `xsnap sim` tells a person how to log in and what to paste in another terminal.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT, xsnap } from "./harness";

describe("usage errors", () => {
  it.each([
    ["an unknown option", ["plan", "--bogus"], "error: unknown option '--bogus'\nsee xsnap plan --help\n"],
    ["a bad value", ["plan", "--parallelism", "0"], "error: option '--parallelism <n>' argument '0' is invalid. expected a whole number of at least 1.\nsee xsnap plan --help\n"],
    ["an address that is no address", ["plan", "--target", "nope"], "error: option '--target <address>' argument 'nope' is invalid. expected a resource address such as xapi_snapshot.web or data.xapi_vm.web (got \"nope\").\nsee xsnap plan --help\n"],
    ["an address with a stray dot", ["apply", "--replace", "xapi_snapshot.web."], "error: option '--replace <address>' argument 'xapi_snapshot.web.' is invalid. expected a resource address such as xapi_snapshot.web or data.xapi_vm.web (got \"xapi_snapshot.web.\").\nsee xsnap apply --help\n"],
    ["an unknown option of a subcommand", ["lock", "status", "--nope"], "error: unknown option '--nope'\nsee xsnap lock status --help\n"],
    ["an unknown command", ["plann"], "error: unknown command 'plann'\n(Did you mean plan?)\nsee xsnap --help\n"],
  ])("%s: the error and `see xsnap CMD --help`, exit 1", async (_why, args, stderr) => {
    expect(await xsnap(args)).toEqual({ code: 1, stdout: "", stderr });
  });
});

describe("xsnap sim", () => {
  it("prints the login and the export line to paste after its first line", async () => {
    const child = spawn(process.execPath, [join(ROOT, "bin/xsnap.js"), "sim", "--fixture", "demo", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => { lines.push(line); if (line.startsWith("  export ")) resolve(); });
      child.once("exit", (code) => reject(new Error(`xsnap sim exited with ${String(code)}`)));
    });
    const url = /^xapi-sim listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0] ?? "")?.[1];
    expect(lines).toEqual([
      `xapi-sim listening on ${url}`,
      "login: user root, password xsnap",
      "In another terminal:",
      `  export XAPI_URL=${url} XAPI_USERNAME=root XAPI_PASSWORD=xsnap`,
    ]);
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });
});
