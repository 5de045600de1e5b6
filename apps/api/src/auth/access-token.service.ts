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
import { API_SETTINGS } from '../api.tokens';
import type { ApiSettings } from '../api-settings';
import type { Principal } from './principal';

const ISSUER = 'envoy-fleet';
const AUDIENCE = 'envoy-fleet-api';
const API_KEY_SUBJECT = /^api_key:([0-9a-f-]{36})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

  constructor(@Inject(API_SETTINGS) private readonly settings: ApiSettings) {
    this.jwks =
      settings.jwt.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(settings.jwt.jwksUrl));
  }

  async issue(principal: Principal): Promise<IssuedToken> {
    const { ttlSeconds, secret } = this.settings.jwt;
    const accessToken = await new SignJWT({ tid: principal.tenantId, role: principal.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.actor)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(secret);
    return { accessToken, tokenType: 'Bearer', expiresIn: ttlSeconds };
  }

  /** The principal a token names, or UNAUTHENTICATED saying why the token is refused. */
  async verify(token: string, adminTenantId: string | null): Promise<VerifiedToken> {
    const payload = await this.verifiedPayload(token);
    const tenantId = payload['tid'];
    const role = payload['role'];
    const subject = payload.sub;
    if (typeof tenantId !== 'string' || !UUID.test(tenantId))
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
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw refused('the bearer token is not a JWT');
    }
    try {
      if (algorithm === 'HS256') {
        return (
          await jwtVerify(token, this.settings.jwt.secret, {
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
