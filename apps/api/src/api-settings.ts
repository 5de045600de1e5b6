import { randomBytes } from 'node:crypto';
import type { ApiEmbeddedEnv } from './env';

/** What the api's modules are configured with, derived once from the environment at start-up. */
export interface ApiSettings {
  readonly bodyLimitBytes: number;
  readonly jwt: {
    readonly secret: Uint8Array;
    readonly ttlSeconds: number;
    readonly jwksUrl: string | undefined;
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
  };
  /** Null when SECRET_ENCRYPTION_KEY is unset: secrets cannot be stored. */
  readonly secretEncryptionKey: Buffer | null;
  /** Names this replica's consumer of the event stream it serves over SSE. */
  readonly instanceId: string;
  /** The tenant whose admins manage every tenant; null when it does not exist. */
  readonly adminTenantId: string | null;
}

export function apiSettingsFrom(env: ApiEmbeddedEnv, adminTenantId: string | null): ApiSettings {
  return {
    bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
    jwt: {
      secret: env.JWT_SECRET === undefined ? randomBytes(32) : new TextEncoder().encode(env.JWT_SECRET),
      ttlSeconds: env.JWT_TTL_SECONDS,
      jwksUrl: env.JWKS_URL,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
    secretEncryptionKey:
      env.SECRET_ENCRYPTION_KEY === undefined ? null : Buffer.from(env.SECRET_ENCRYPTION_KEY, 'base64'),
    instanceId: env.API_INSTANCE_ID,
    adminTenantId,
  };
}
