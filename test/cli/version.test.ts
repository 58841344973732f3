import { readFileSync } from "fs";
import { join } from "path";
import { ROOT, xsnap } from "./harness";

describe("xsnap --version", () => {
  it("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const run = await xsnap(["--version"]);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});
