/**
 * One open connection per pool (provider alias) of the stack. The CLI owns connecting and closing;
 * the engine receives the client and a PoolView.
 */
import { error, type DesiredStack, type ProviderConfig, type PoolIdentity } from "../model";
import { connect, isXapiError, readCaFile, type XapiClient } from "../xapi";
import { CliFailure } from "./exit-codes";
import type { PoolView } from "../xapi/records";
import { providerBlockName, resolveConnection, type ConnectionSettings } from "./connection";
import { DiagnosticsFailure } from "./failure";

export interface PoolSession {
  readonly alias: string;
  readonly settings: ConnectionSettings;
  /** The full client (export/restore stream over HTTP); the engine is handed it as its narrower XapiClient. */
  readonly client: XapiClient;
}

/** Provider aliases to plan: every `xapi` block, or the environment alone when the stack has none. */
export function aliasesOf(stack: DesiredStack | undefined): string[] {
  const aliases = stack ? Object.keys(stack.providers) : [];
  return aliases.length > 0 ? aliases.sort() : ["default"];
}

/**
 * The settings to connect with, or a DiagnosticsFailure naming the block: what is missing, and a
 * `ca_file` that cannot be read or holds no PEM certificate (Node would silently ignore it and
 * then refuse the pool's certificate as untrusted). No pool is called.
 */
export function connectionSettings(provider: ProviderConfig | undefined, env: Readonly<Record<string, string | undefined>>): ConnectionSettings {
  const resolved = resolveConnection(provider, env);
  if (!resolved.ok) throw new DiagnosticsFailure(resolved.diagnostics);
  const caFile = resolved.value.caFile;
  const ca = caFile !== undefined ? readCaFile(caFile, JSON.stringify(caFile)) : undefined;
  if (ca && !ca.ok) throw new DiagnosticsFailure([error(`${providerBlockName(provider)}: ${ca.problem}; ca_file must be the pool's certificate, or the CA that signed it, in PEM`)]);
  return resolved.value;
}

export async function openPool(provider: ProviderConfig | undefined, alias: string, env: Readonly<Record<string, string | undefined>>): Promise<PoolSession> {
  return connectPool(alias, connectionSettings(provider, env));
}

/** Connects and logs in with settings from `connectionSettings`. */
export async function connectPool(alias: string, s: ConnectionSettings): Promise<PoolSession> {
  try {
    const client = await connect({
      url: s.url, username: s.username, password: s.password, insecure: s.insecure,
      ...(s.caFile ? { caFile: s.caFile } : {}), ...(s.tlsFingerprint ? { tlsFingerprint: s.tlsFingerprint } : {}),
    });
    return { alias, settings: s, client };
  } catch (e) {
    // Say where the refused user and password came from: the block, XAPI_USERNAME, XAPI_PASSWORD or password_env.
    if (!isXapiError(e, "SESSION_AUTHENTICATION_FAILED")) throw e;
    throw new CliFailure(`XAPI ${e.describe()} (user from ${s.usernameFrom}, password from ${s.passwordEnv})`);
  }
}

export function poolIdentity(view: PoolView, settings: ConnectionSettings): PoolIdentity {
  return { uuid: view.pool.uuid, name_label: view.pool.name_label, url: settings.url, xapi_version: view.xapiVersion, insecure: settings.insecure };
}

/** Closes every session, ignoring logout failures: the command's own outcome matters more. */
export async function closeAll(sessions: readonly PoolSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.client.close().catch(() => undefined)));
}
