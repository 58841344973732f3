/**
 * Where the pool is and how to log in (DESIGN §4): the provider block, with env XAPI_URL /
 * XAPI_USERNAME filling what it leaves out; the password only ever from env (XAPI_PASSWORD or the
 * block's password_env). Pure: the CLI passes process.env.
 */
import { error, type Diagnostic, type ProviderConfig } from "../model";
import type { ConnectOptions } from "../xapi";
import { hasCredentials } from "../config/providers";

/** The client's connect options as the config and env give them (`insecure` always decided). */
export type ConnectionSettings = Pick<ConnectOptions, "url" | "username" | "password" | "caFile" | "tlsFingerprint"> & {
  readonly insecure: boolean;
  /** The variable the password came from (a saved plan records it; never the value). */
  readonly passwordEnv: string;
  /** Where the user name came from, for a refused login: the block's `username`, or XAPI_USERNAME. */
  readonly usernameFrom: string;
};

export type Resolved = { readonly ok: true; readonly value: ConnectionSettings } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function resolveConnection(provider: ProviderConfig | undefined, env: Readonly<Record<string, string | undefined>>): Resolved {
  const where = providerBlockName(provider);
  const url = provider?.url ?? nonEmpty(env.XAPI_URL);
  const username = provider?.username ?? nonEmpty(env.XAPI_USERNAME);
  const passwordVar = provider?.password_env ?? "XAPI_PASSWORD";
  const password = env[passwordVar];
  const problems: Diagnostic[] = [];
  if (!url) problems.push(error(`no pool URL: set url in ${where} or the XAPI_URL environment variable`));
  // The block's url is checked with the configuration; the environment's here. Never echoed: it holds a secret.
  else if (provider?.url === undefined && hasCredentials(url)) problems.push(error("XAPI_URL must not carry a user name or password (it is printed with the plan and saved in plan files); put the user in XAPI_USERNAME and the password in XAPI_PASSWORD"));
  if (!username) problems.push(error(`no username: set username in ${where} or the XAPI_USERNAME environment variable`));
  if (password === undefined) problems.push(error(`no password: set the ${passwordVar} environment variable (passwords never go in the config)`));
  if (!url || !username || password === undefined || problems.length > 0) return { ok: false, diagnostics: problems };
  return {
    ok: true,
    value: {
      url, username, password, passwordEnv: passwordVar, usernameFrom: provider?.username !== undefined ? `username in ${where}` : "XAPI_USERNAME",
      ...(provider?.ca_file ? { caFile: provider.ca_file } : {}),
      ...(provider?.tls_fingerprint ? { tlsFingerprint: provider.tls_fingerprint } : {}),
      insecure: provider?.insecure === true,
    },
  };
}

/** How messages name the block: `provider "xapi"`, or `provider "xapi" (alias "dr")`. */
export const providerBlockName = (provider: ProviderConfig | undefined): string =>
  provider && provider.alias !== "default" ? `provider "xapi" (alias "${provider.alias}")` : `provider "xapi"`;

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === "" ? undefined : s);
