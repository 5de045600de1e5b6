/** The five apps the launcher starts, in start order (the api first: it migrates and relays the outbox). */
export const APP_NAMES = ['api', 'fleet-manager', 'xds-server', 'webhook-dispatcher', 'node-agent'] as const;

export type AppName = (typeof APP_NAMES)[number];

/**
 * The prefix that addresses one app's variables through the launcher: `XDS_SERVER_HTTP_PORT=9083` gives the
 * xds-server `HTTP_PORT=9083` and leaves the other apps alone.
 */
export function envPrefixOf(app: AppName): string {
  return `${app.toUpperCase().replace(/-/g, '_')}_`;
}

/** The environment of one app: the launcher's own, plus `shared`, plus its prefixed variables unprefixed. */
export function envForApp(
  app: AppName,
  source: NodeJS.ProcessEnv,
  shared: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv {
  const prefix = envPrefixOf(app);
  const env: NodeJS.ProcessEnv = { ...source, ...shared };
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith(prefix) && name.length > prefix.length) env[name.slice(prefix.length)] = value;
  }
  return env;
}
