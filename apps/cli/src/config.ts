import { z } from 'zod';

const configSchema = z.object({
  apiUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .transform((url) => url.replace(/\/+$/, '')),
  token: z.string().min(1).optional(),
});

export type CliConfig = z.output<typeof configSchema>;

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** Command-line options win over the environment (`ENVOY_FLEET_API_URL`, `ENVOY_FLEET_TOKEN`). */
export function resolveConfig(
  options: { apiUrl?: string; token?: string },
  env: Readonly<Record<string, string | undefined>>,
): CliConfig {
  const apiUrl = options.apiUrl ?? nonEmpty(env.ENVOY_FLEET_API_URL) ?? DEFAULT_API_URL;
  const result = configSchema.safeParse({ apiUrl, token: options.token ?? nonEmpty(env.ENVOY_FLEET_TOKEN) });
  if (result.success) return result.data;
  const source = options.apiUrl === undefined ? 'ENVOY_FLEET_API_URL' : '--api-url';
  throw new CliUsageError(
    `${source}: ${result.error.issues[0]?.message ?? 'invalid'}, got ${JSON.stringify(apiUrl)}`,
  );
}

/** A mistake in how the CLI was called or configured; printed without a stack trace. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
