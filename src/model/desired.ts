/**
 * The desired model: what `config/` hands to `engine/` after loading and validating a
 * synthesized stack. Pure data, JSON-serialisable; it holds no secret (passwords come from env).
 */
import type { Address } from "./address";
import type { ConfigValue } from "./values";

/** One `xapi` provider block = one pool. `alias` is "default" for the unaliased block. */
export interface ProviderConfig {
  readonly alias: string;
  readonly url?: string;
  readonly username?: string;
  /** Name of the env variable holding the password (default XAPI_PASSWORD). Never the password. */
  readonly password_env?: string;
  readonly ca_file?: string;
  readonly tls_fingerprint?: string;
  readonly insecure?: boolean;
}

export interface DesiredResource {
  /** `xapi_snapshot.web` or `data.xapi_vm.web`. */
  readonly address: Address;
  readonly mode: "managed" | "data";
  /** Terraform type, e.g. `xapi_snapshot`. */
  readonly type: string;
  readonly name: string;
  /** Provider alias this resource talks to ("default" when none is given). */
  readonly provider: string;
  /** Attributes as configured (snake_case), defaults from the schema filled in, references symbolic. */
  readonly attrs: Readonly<Record<string, ConfigValue>>;
  /** Explicit `depends_on` plus every address referenced from attrs. */
  readonly dependsOn: readonly Address[];
}

export interface DesiredStack {
  readonly stack: string;
  /** sha256 of the canonical JSON of the stack's resources and providers (saved-plan staleness). */
  readonly configHash: string;
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** In dependency order (a resource comes after everything it depends on). */
  readonly resources: readonly DesiredResource[];
}
