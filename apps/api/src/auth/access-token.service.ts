import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ROLES, type Role } from '@envoy-fleet/domain';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { API_SETTINGS } from '../api.tokens';
import type { ApiSettings } from '../api-settings';
import { uuidParam } from '../http/request-schemas';
import type { Principal } from './principal';

const ISSUER = 'envoy-fleet';
const AUDIENCE = 'envoy-fleet-api';
const API_KEY_SUBJECT = /^api_key:([0-9a-f-]{36})$/;
/** Verified tokens remembered, so that a client's every request does not pay for the signature check. */
const VERIFIED_TOKENS = { max: 10_000, ttlMs: 60_000 };

/** A verified token: its principal (role as claimed) and the identity provider's `email` claim, if any. */
export interface VerifiedToken {
  readonly principal: Principal;
  readonly email: string | null;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

/**
 * Access tokens: the api issues HS256 tokens for API keys (claims `tid`, `role`, subject
 * `api_key:<id>`), and accepts them as well as RS256/ES256 tokens of an identity provider verified
 * against `JWKS_URL` (claims `tid` and `role`; subject recorded as `user:<sub>`).
 */
@Injectable()
export class AccessTokenService {
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly key: KeyObject;
  /**
   * Payloads of tokens whose signature and claims were checked, each kept at most a minute and never
   * past its `exp`. Only the token's claims are remembered: the role still comes from its binding.
   */
  private readonly verified = new LRUCache<string, JWTPayload>({
    max: VERIFIED_TOKENS.max,
    ttl: VERIFIED_TOKENS.ttlMs,
    ttlAutopurge: false,
  });

  constructor(@Inject(API_SETTINGS) private readonly settings: ApiSettings) {
    this.jwks =
      settings.jwt.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(settings.jwt.jwksUrl));
    this.key = createSecretKey(settings.jwt.secret);
  }

  async issue(principal: Principal): Promise<IssuedToken> {
    const { ttlSeconds } = this.settings.jwt;
    const accessToken = await new SignJWT({ tid: principal.tenantId, role: principal.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.actor)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
    return { accessToken, tokenType: 'Bearer', expiresIn: ttlSeconds };
  }

  /** The principal a token names, or UNAUTHENTICATED saying why the token is refused. */
  async verify(token: string, adminTenantId: string | null): Promise<VerifiedToken> {
    const payload = await this.verifiedPayload(token);
    const tenantId = payload['tid'];
    const role = payload['role'];
    const subject = payload.sub;
    if (typeof tenantId !== 'string' || !uuidParam.safeParse(tenantId).success)
      throw refused('the token has no tenant id (claim tid)');
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw refused(`the token's role claim must be one of ${ROLES.join(', ')}`);
    }
    if (subject === undefined || subject === '') throw refused('the token has no subject');
    const ours = payload.iss === ISSUER ? API_KEY_SUBJECT.exec(subject) : null;
    const email = payload['email'];
    return {
      principal: {
        tenantId,
        role: role as Role,
        actor: ours ? subject : `user:${subject}`,
        apiKeyId: ours?.[1] ?? null,
        installationAdmin: role === 'admin' && tenantId === adminTenantId,
      },
      email: typeof email === 'string' ? email : null,
    };
  }

  private async verifiedPayload(token: string): Promise<JWTPayload> {
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    const payload = await this.checkedPayload(token);
    const lifetimeMs = payload.exp === undefined ? VERIFIED_TOKENS.ttlMs : payload.exp * 1000 - Date.now();
    if (lifetimeMs > 0) {
      this.verified.set(token, payload, { ttl: Math.min(lifetimeMs, VERIFIED_TOKENS.ttlMs) });
    }
    return payload;
  }

  private async checkedPayload(token: string): Promise<JWTPayload> {
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw refused('the bearer token is not a JWT');
    }
    try {
      if (algorithm === 'HS256') {
        return (
          await jwtVerify(token, this.key, {
            issuer: ISSUER,
            audience: AUDIENCE,
            algorithms: ['HS256'],
          })
        ).payload;
      }
      if ((algorithm === 'RS256' || algorithm === 'ES256') && this.jwks !== undefined) {
        const { issuer, audience } = this.settings.jwt;
        return (await jwtVerify(token, this.jwks, { issuer, audience, algorithms: ['RS256', 'ES256'] }))
          .payload;
      }
    } catch (error) {
      throw refused(`the token is not valid: ${(error as Error).message}`);
    }
    throw refused(
      this.jwks === undefined && algorithm !== undefined && algorithm !== 'HS256'
        ? `tokens signed with ${algorithm} need JWKS_URL to be configured`
        : `tokens signed with ${algorithm ?? 'no algorithm'} are not accepted`,
    );
  }
}

function refused(message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}
