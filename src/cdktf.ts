/**
 * The one place xsnap imports cdktf from. cdktf was archived upstream (Dec 2025); moving to its fork
 * `cdktn` means changing this file (and regenerating src/constructs) and nothing else.
 * The generated constructs import `* as cdktf` from here too.
 */
export * from "cdktf";
export { Construct } from "constructs";
