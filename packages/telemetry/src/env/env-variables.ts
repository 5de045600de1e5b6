import { z } from 'zod';

/**
 * Schemas for the kinds of value environment variables hold. Each one states what it expects in its error
 * message; callers add `.default(...)` when the variable is optional and `.describe(...)` last, which
 * `loadEnv` quotes when the variable is missing.
 */

const DIGITS = /^\d+$/;

export function integerVariable(min: number, max: number) {
  const expected = `expected an integer between ${min} and ${max}`;
  return z
    .string()
    .regex(DIGITS, expected)
    .transform(Number)
    .pipe(z.number().min(min, expected).max(max, expected));
}

export function portVariable() {
  return integerVariable(1, 65535);
}

export function booleanVariable() {
  return z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], error: 'expected true or false' });
}

/** A URL whose scheme is one of `schemes` (without `://`). */
export function urlVariable(schemes: readonly string[]) {
  const expected = `expected a URL starting with ${schemes.map((scheme) => `${scheme}://`).join(' or ')}`;
  return z.url({ protocol: new RegExp(`^(${schemes.join('|')})$`), error: expected });
}

/** A host name or an IP address to listen on. */
export function hostVariable() {
  return z.string().regex(/^[A-Za-z0-9.:-]+$/, 'expected a host name or an IP address');
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevelVariable() {
  return z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` });
}

/** The variables every HTTP app shares; `defaultPort` is the app's own. */
export function httpServerVariables(defaultPort: number) {
  return {
    HTTP_HOST: hostVariable()
      .default('0.0.0.0')
      .describe('address the HTTP server (REST, health, metrics) binds to'),
    HTTP_PORT: portVariable()
      .default(defaultPort)
      .describe('port of the HTTP server (REST, health, metrics)'),
    LOG_LEVEL: logLevelVariable()
      .default('info')
      .describe(`lowest level logged: ${LOG_LEVELS.join(', ')}`),
    SHUTDOWN_TIMEOUT_MS: integerVariable(0, 600_000)
      .default(10_000)
      .describe('how long shutdown waits for in-flight requests before closing their connections, in ms'),
  };
}

/** The connection variables several apps share, described once so that every app reports them alike. */
export function databaseUrlVariable() {
  return urlVariable(['postgres', 'postgresql']).describe(
    'PostgreSQL URL of the app role, e.g. postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet',
  );
}

export function natsUrlVariable() {
  return urlVariable(['nats', 'tls']).describe(
    'NATS server URL (JetStream enabled), e.g. nats://127.0.0.1:4222',
  );
}

export function redisUrlVariable() {
  return urlVariable(['redis', 'rediss']).describe(
    'Redis URL of the snapshot store, e.g. redis://127.0.0.1:6379',
  );
}

export function natsNamespaceVariable() {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" and "-" only')
    .optional()
    .describe(
      'prefix of every NATS subject and stream, for installations sharing one NATS server; default none',
    );
}

export function redisKeyPrefixVariable() {
  return z
    .string()
    .optional()
    .describe('prefix of every snapshot-store key, for installations sharing one Redis; default none');
}
