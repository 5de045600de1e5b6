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
