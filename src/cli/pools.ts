/**
 * One open connection per pool (provider alias) of the stack. The CLI owns connecting and closing;
 * the engine receives the client and a PoolView.
 */
import type { DesiredStack, ProviderConfig, PoolIdentity } from "../model";
import { connect, isXapiError, type XapiClient } from "../xapi";
import { CliFailure } from "./exit-codes";
import type { PoolView } from "../xapi/records";
import { resolveConnection, type ConnectionSettings } from "./connection";
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

export async function openPool(provider: ProviderConfig | undefined, alias: string, env: Readonly<Record<string, string | undefined>>): Promise<PoolSession> {
  const resolved = resolveConnection(provider, env);
  if (!resolved.ok) throw new DiagnosticsFailure(resolved.diagnostics);
  const s = resolved.value;
  try {
    const client = await connect({
      url: s.url, username: s.username, password: s.password, insecure: s.insecure,
      ...(s.caFile ? { caFile: s.caFile } : {}), ...(s.tlsFingerprint ? { tlsFingerprint: s.tlsFingerprint } : {}),
    });
    return { alias, settings: s, client };
  } catch (e) {
    // Say where the refused user and password came from: the block, XAPI_USERNAME, XAPI_PASSWORD or password_env.
    if (!isXapiError(e, "SESSION_AUTHENTICATION_FAILED")) throw e;
    const block = alias === "default" ? 'provider "xapi"' : `provider "xapi" (alias "${alias}")`;
    throw new CliFailure(`XAPI ${e.describe()} (user from ${provider?.username !== undefined ? `username in ${block}` : "XAPI_USERNAME"}, password from ${s.passwordEnv})`);
  }
}

export function poolIdentity(view: PoolView, settings: ConnectionSettings): PoolIdentity {
  return { uuid: view.pool.uuid, name_label: view.pool.name_label, url: settings.url, xapi_version: view.xapiVersion, insecure: settings.insecure };
}

/** Closes every session, ignoring logout failures: the command's own outcome matters more. */
export async function closeAll(sessions: readonly PoolSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.client.close().catch(() => undefined)));
}
