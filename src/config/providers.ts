/**
 * Provider blocks → ProviderConfig per alias (one pool each). Values are kept as configured: the
 * CLI fills url/username from XAPI_URL/XAPI_USERNAME at connect time. A literal password is refused
 * here, before it can reach a plan, a log or an error. Pure.
 */
import { error, warning, type Diagnostic, type ProviderConfig } from "../model";
import { providerAttributes } from "../schema";
import { checkAttribute, type CheckContext } from "./attribute-check";
import { didYouMean } from "./suggest";
import type { RawProviderBlock } from "./tf-json";
import { DEFAULT_ALIAS } from "./validate-resource";

const NO_REFERENCES = { targets: new Map() };
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FINGERPRINT = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

/** `user[:password]@` in a URL: the secret would be printed with the URL and saved in plan files. */
export const hasCredentials = (url: string): boolean => /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/\s]*@/i.test(url);

/** Format rules the schema's types cannot express. */
const FORMAT_RULES: Readonly<Record<string, (v: string) => string | undefined>> = {
  url: (v) => {
    // user:password@host would put the secret in cdk.tf.json; the value is not echoed for the same reason.
    if (hasCredentials(v)) return "url must not carry a user name or password; use username, and XAPI_PASSWORD or password_env";
    return /^https?:\/\/[^\s/]+/.test(v) ? undefined : `url must be an http:// or https:// URL (got ${JSON.stringify(v)})`;
  },
  password_env: (v) => (ENV_NAME.test(v) ? undefined : `password_env must be the name of an environment variable, e.g. XAPI_PASSWORD (got ${JSON.stringify(v)})`),
  tls_fingerprint: (v) => (FINGERPRINT.test(v) ? undefined : "tls_fingerprint must be a SHA-256 fingerprint: 64 hex digits, optionally in colon-separated pairs"),
};

function decodeBlock(block: RawProviderBlock, diagnostics: Diagnostic[]): ProviderConfig | undefined {
  const ctx: CheckContext = { address: block.address, scope: NO_REFERENCES, diagnostics };
  const alias = block.body.alias;
  const values: Record<string, string | boolean> = {};
  let ok = true;
  if (alias !== undefined && (typeof alias !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(alias))) {
    diagnostics.push(error(`alias must be a name made of letters, digits, _ and - (got ${JSON.stringify(alias)})`, block.address));
    ok = false;
  }
  for (const [key, value] of Object.entries(block.body)) {
    if (key === "alias" || value === null) continue;
    const a = providerAttributes.find((p) => p.name === key);
    if (!a) {
      diagnostics.push(error(`unknown provider argument "${key}"${didYouMean(key, providerAttributes.map((p) => p.name))}`, block.address));
      ok = false;
    } else if (a.forbidden) {
      // Never echo the value: it is a secret.
      diagnostics.push(error(`${key} ${a.forbidden}`, block.address));
      ok = false;
    } else if (typeof value === "string" && value.includes("${")) {
      diagnostics.push(error(`${key}: provider arguments must be literal values, not expressions`, block.address));
      ok = false;
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      const format = typeof value === "string" ? FORMAT_RULES[key]?.(value) : undefined;
      if (format) diagnostics.push(error(format, block.address));
      if (!checkAttribute(key, value, a, ctx) || format) ok = false;
      else values[key] = value as string | boolean; // checkAttribute admitted only the schema's string/bool types
    } else {
      diagnostics.push(error(`${key} must be ${a.type === "bool" ? "true or false" : "a string"}`, block.address));
      ok = false;
    }
  }
  if (values.insecure === true && (values.ca_file !== undefined || values.tls_fingerprint !== undefined)) {
    diagnostics.push(warning("insecure = true turns off the TLS verification that ca_file / tls_fingerprint set up", block.address));
  }
  return ok ? toProviderConfig(typeof alias === "string" ? alias : DEFAULT_ALIAS, values) : undefined;
}

function toProviderConfig(alias: string, v: Readonly<Record<string, string | boolean>>): ProviderConfig {
  const text = (k: string): string | undefined => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const entries: [string, string | boolean | undefined][] = [
    ["url", text("url")], ["username", text("username")], ["password_env", text("password_env")],
    ["ca_file", text("ca_file")], ["tls_fingerprint", text("tls_fingerprint")],
    ["insecure", typeof v.insecure === "boolean" ? v.insecure : undefined],
  ];
  return { alias, ...Object.fromEntries(entries.filter(([, value]) => value !== undefined)) };
}

/** Every configured alias (also those whose block has errors, so resources are not reported twice). */
export function aliasesOf(blocks: readonly RawProviderBlock[]): ReadonlySet<string> {
  return new Set(blocks.map((b) => (typeof b.body.alias === "string" ? b.body.alias : DEFAULT_ALIAS)));
}

export function decodeProviders(blocks: readonly RawProviderBlock[]): {
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  readonly diagnostics: readonly Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const providers: Record<string, ProviderConfig> = {};
  for (const block of blocks) {
    const config = decodeBlock(block, diagnostics);
    if (!config) continue;
    if (providers[config.alias]) {
      const which = config.alias === DEFAULT_ALIAS ? "an xapi provider block without alias" : `alias "${config.alias}"`;
      diagnostics.push(error(`${which} is configured more than once; give each pool its own alias`, block.address));
    } else {
      providers[config.alias] = config;
    }
  }
  return { providers, diagnostics };
}
