/** CLI entry point; replaced by the commander program in the engine/CLI issue. */
export async function main(_argv: readonly string[]): Promise<number> {
  process.stderr.write("xsnap: not implemented yet\n");
  return 1;
}
