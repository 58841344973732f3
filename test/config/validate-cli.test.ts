// `xsnap validate` through the real CLI process (dist/, built by `npm test`'s pretest or `npm run build`).
import { execFile } from "child_process";
import { existsSync } from "fs";
import * as path from "path";

const repo = path.join(__dirname, "../..");
const bin = path.join(repo, "bin/xsnap.js");

function xsnap(args: string[], cwd = repo): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("xsnap validate", () => {
  beforeAll(() => {
    if (!existsSync(path.join(repo, "dist/src/cli/validate.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  });

  it("exits 1 with the diagnostic naming the address, and no stack trace", async () => {
    const r = await xsnap(["validate", "--config", "test/config/invalid/retained-snapshots-above-ten.tf.json"]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: xapi_snapshot_schedule.nightly: retained_snapshots must be between 1 and 10 (got 11)\n",
    });
  });

  it("prints every problem of a configuration at once", async () => {
    const r = await xsnap(["validate", "--config", "test/config/invalid/every-problem-reported-at-once.tf.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("Error: "))).toHaveLength(5);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("runs the app of the folder it is started in and says the configuration is valid", async () => {
    const r = await xsnap(["validate"], path.join(repo, "examples/pre-upgrade"));
    expect(r).toEqual({ code: 0, stdout: "Success! The configuration is valid.\n", stderr: "" });
  });
});
