/** The `xapi` provider block: one block (optionally with an `alias`) per pool. DESIGN §4. */
import cdktfJson from "../../cdktf.json";
import { optional } from "./attribute-builders";
import type { ProviderSchemaDef } from "./types";

export const PROVIDER_NAME = "xapi";

/**
 * The provider's identity is declared once, where cdktf users look for it: `terraformProviders` of
 * the repository's cdktf.json (issue 13). The generator writes it into the provider construct
 * (`terraformProviderSource`), and plan JSON shows it as `provider_name`.
 */
function declaredIdentity(): { readonly source: string; readonly version: string } {
  const entries: readonly unknown[] = cdktfJson.terraformProviders;
  const entry = entries.find((e): e is { name: string; source: string; version: string } =>
    typeof e === "object" && e !== null && (e as { name?: unknown }).name === PROVIDER_NAME);
  if (!entry || typeof entry.source !== "string" || typeof entry.version !== "string") {
    throw new Error(`cdktf.json must declare the provider in terraformProviders: { "name": "${PROVIDER_NAME}", "source": ..., "version": ... }`);
  }
  // Terraform's full address: a source without a hostname lives on registry.terraform.io.
  const source = entry.source.split("/").length === 2 ? `registry.terraform.io/${entry.source}` : entry.source;
  return { source, version: entry.version };
}

const identity = declaredIdentity();
/** Fully qualified provider name, as Terraform writes it in `providers schema -json` and plan JSON. */
export const PROVIDER_FQPN: string = identity.source;
export const PROVIDER_VERSION: string = identity.version;
/** Env variables the CLI reads at connect time for what the block leaves out. */
export const DEFAULT_PASSWORD_ENV = "XAPI_PASSWORD";

export const providerSchema: ProviderSchemaDef = {
  description: "Connection to one XenServer / XCP-ng pool. Secrets never go in the configuration: the password comes from the environment (`XAPI_PASSWORD`, or the variable named by `password_env`). `XAPI_URL` and `XAPI_USERNAME` fill in what the block leaves out. Add one block per pool with an `alias` to manage several pools from one stack.",
  attributes: [
    optional("url", "string", "Pool master URL, e.g. `https://xcp-host-1`; falls back to env `XAPI_URL`.", { nonEmpty: true }),
    optional("username", "string", "User to log in as; falls back to env `XAPI_USERNAME`.", { nonEmpty: true }),
    optional("password_env", "string", "Name of the environment variable holding the password (default `XAPI_PASSWORD`). Never the password itself.", { nonEmpty: true }),
    optional("ca_file", "string", "PEM file with the CA (or the self-signed certificate) to verify the pool's TLS certificate against.", { nonEmpty: true }),
    optional("tls_fingerprint", "string", "SHA-256 fingerprint of the pool's certificate (64 hex digits, colons allowed) to pin XAPI's self-signed certificate.", { nonEmpty: true }),
    optional("insecure", "bool", "Skip TLS verification. Must be explicit; the plan header says so."),
    optional("password", "string", "Not allowed: a password written here would be committed in cdk.tf.json. Set `XAPI_PASSWORD` or name another variable in `password_env`.", {
      sensitive: true,
      forbidden: "must not be written in the configuration (it would be committed in cdk.tf.json); set XAPI_PASSWORD or name an environment variable in password_env",
    }),
  ],
};
