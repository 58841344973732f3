/**
 * Generates the cdktf constructs in src/constructs from the schema with @cdktf/provider-generator
 * (`npm run generate`). Deterministic: a test regenerates into a temp dir and compares byte for byte.
 * Only the generator and this file may write src/constructs; it is never edited by hand.
 */
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { providerSchemaDocument } from "./terraform-json";
import type { ProviderSchema } from "@cdktf/commons";

/** The package the generator imports; after a move to `cdktn`, the generator's import changes with it. */
const GENERATED_IMPORT = `import * as cdktf from '${"cdktf"}';`;

/** The generated files import cdktf through src/cdktf.ts, so a move to `cdktn` touches one file. */
function routeCdktfImport(text: string, depth: number): string {
  return text.replace(GENERATED_IMPORT, `import * as cdktf from '${"../".repeat(depth)}cdktf';`);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out.sort();
}

async function runGenerator(scratch: string): Promise<string> {
  // @cdktf/commons phones home and runs `terraform version` when it is first loaded (stack-notes §3).
  process.env.CHECKPOINT_DISABLE ??= "1";
  process.env.TERRAFORM_BINARY_NAME ??= "/bin/false";
  // Deep import: the package's main entry require.resolve()s jsii-pacmak, which it does not declare.
  const { TerraformProviderGenerator } = await import("@cdktf/provider-generator/lib/get/generator/provider-generator");
  const { CodeMaker } = await import("codemaker");
  const code = new CodeMaker();
  // Our document is a structurally exact `providers schema -json`; the generator's type is looser in places.
  new TerraformProviderGenerator(code, providerSchemaDocument() as unknown as ProviderSchema).generateAll();
  await code.save(scratch);
  return path.join(scratch, "providers", "xapi");
}

/**
 * Writes the constructs into `outDir` (replacing its contents): `<outDir>/<kind>/index.ts`, the
 * generator's index files, and a README per kind. `outDir` must sit directly under `src/`.
 */
export async function generateConstructs(outDir: string): Promise<readonly string[]> {
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "xsnap-gen-"));
  try {
    const generated = await runGenerator(scratch);
    await fs.rm(outDir, { recursive: true, force: true });
    const written: string[] = [];
    for (const file of await listFiles(generated)) {
      const rel = path.relative(generated, file);
      const target = path.join(outDir, rel);
      const depth = rel.split(path.sep).length; // from <outDir>/<kind>/index.ts up to src/
      const text = await fs.readFile(file, "utf8");
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.endsWith(".ts") ? routeCdktfImport(text, depth) : text);
      written.push(rel.split(path.sep).join("/"));
    }
    return written;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
