import { z } from 'zod';
import { booleanVariable, httpServerVariables, portVariable, urlVariable } from './env-variables';
import { EnvError, loadEnv } from './load-env';

const schema = z.object({
  HTTP_PORT: portVariable().default(8080).describe('port of the HTTP server'),
  DATABASE_URL: urlVariable(['postgres', 'postgresql']).describe(
    'PostgreSQL URL of the app role, e.g. postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet',
  ),
  MIGRATE: booleanVariable().default(false).describe('run migrations'),
});

function problemsOf(source: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadEnv(schema, source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error('expected an EnvError');
}

describe(loadEnv.name, () => {
  it('returns typed values, applying defaults', () => {
    const sut = loadEnv(schema, { DATABASE_URL: 'postgres://app@db:5432/fleet', MIGRATE: 'true' });

    expect(sut).toEqual({ HTTP_PORT: 8080, DATABASE_URL: 'postgres://app@db:5432/fleet', MIGRATE: true });
  });

  it('reads only the variables the schema names', () => {
    const sut = loadEnv(schema, { DATABASE_URL: 'postgres://app@db/fleet', UNRELATED: 'x' });

    expect(Object.keys(sut).sort()).toEqual(['DATABASE_URL', 'HTTP_PORT', 'MIGRATE']);
  });

  it('reports a missing variable with its description', () => {
    expect(problemsOf({})).toEqual([
      'DATABASE_URL: required (PostgreSQL URL of the app role, e.g. postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet)',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(problemsOf({ DATABASE_URL: '' })).toEqual([expect.stringMatching(/^DATABASE_URL: required \(/)]);
    expect(loadEnv(schema, { DATABASE_URL: 'postgres://app@db/fleet', HTTP_PORT: '' }).HTTP_PORT).toBe(8080);
  });

  it('reports every wrong variable once, with what was expected and what was given', () => {
    expect(problemsOf({ HTTP_PORT: 'abc', DATABASE_URL: 'mysql://db/fleet', MIGRATE: 'maybe' })).toEqual([
      'HTTP_PORT: expected an integer between 1 and 65535, got "abc"',
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql://, got "mysql://db/fleet"',
      'MIGRATE: expected true or false, got "maybe"',
    ]);
  });

  it.each(['0', '65536', '80.5', '-1'])('rejects the port %s', (port) => {
    expect(problemsOf({ HTTP_PORT: port, DATABASE_URL: 'postgres://db/fleet' })).toEqual([
      `HTTP_PORT: expected an integer between 1 and 65535, got "${port}"`,
    ]);
  });

  it('does not repeat the password of a wrong URL', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://app:s3cret@db/fleet' })).toEqual([
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql://, got "mysql://app:***@db/fleet"',
    ]);
  });

  it('reports a rule across variables with its own message', () => {
    const guarded = schema.superRefine((env, context) => {
      if (env.MIGRATE && env.HTTP_PORT === 8080) {
        context.addIssue({
          code: 'custom',
          path: ['HTTP_PORT'],
          message: 'must not be 8080 while MIGRATE=true',
        });
      }
    });

    expect(() => loadEnv(guarded, { DATABASE_URL: 'postgres://db/fleet', MIGRATE: '1' })).toThrow(
      'invalid environment:\n  HTTP_PORT: must not be 8080 while MIGRATE=true',
    );
  });

  it('gives HTTP apps their shared variables with the app-specific port as default', () => {
    const sut = loadEnv(z.object(httpServerVariables(8083)), {});

    expect(sut).toEqual({
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: 8083,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10000,
    });
  });
});
