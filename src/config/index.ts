/** config/: cdktf.json / manifest / cdk.tf.json loading, schema validation, reference resolution. */
export { loadStack, type LoadOptions } from "./load-stack";
export { buildDesiredStack } from "./build-stack";
export { synthApp, type SynthOptions, type Synthesized } from "./synth";
export { canonicalJson, sha256Hex } from "../model";
export { DEFAULT_ALIAS } from "./validate-resource";
export * from "../model";
