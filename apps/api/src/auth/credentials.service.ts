import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  isApiKeyUsable,
  type Role,
  type TenantStatus,
  type UserStatus,
} from '@envoy-fleet/domain';
import type { DataSource } from 'typeorm';
import { API_SETTINGS, SYSTEM_DATA_SOURCE } from '../api.tokens';
import type { ApiSettings } from '../api-settings';
import { AccessTokenService, type VerifiedToken } from './access-token.service';
import { apiKeyMatches, lookupPrefixOf } from './api-key-token';
import type { Principal } from './principal';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

interface KeyRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  role: Role;
}

interface BoundUserRow {
  id: string;
  status: UserStatus;
  role: Role | null;
}

export interface TenantLimits {
  readonly status: TenantStatus;
  readonly requestsPerMinute: number;
}

/** How long a tenant's status and request quota are trusted before they are read again. */
const LIMITS_TTL_MS = 30_000;

/**
 * Turns a bearer token (an access token or an API key) into a principal. These are the reads the api
 * makes as the system role at authentication (docs/adr/0002): an API key by its prefix before any
 * tenant is known, the current role binding of a token's API key or user, and the tenant's status and
 * request quota, cached briefly.
 */
@Injectable()
export class CredentialsService {
  private readonly limits = new Map<string, { value: TenantLimits; readAt: number }>();

  constructor(
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
    @Inject(API_SETTINGS) private readonly settings: ApiSettings,
    private readonly tokens: AccessTokenService,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerTokenOf(authorization);
    return JWT_SHAPE.test(token)
      ? this.withBoundRole(await this.tokens.verify(token, this.settings.adminTenantId))
      : this.authenticateApiKey(token);
  }

  /**
   * Role bindings decide, not the role a token claims: a token exchanged for an API key carries the
   * key's current binding (and dies with the key); an identity provider's token that names a user of
   * the tenant (subject = user id, or its `email` claim) carries that user's binding, and a disabled
   * or unbound user is refused. Tokens naming no user of the tenant keep their `role` claim.
   */
  private async withBoundRole({ principal, email }: VerifiedToken): Promise<Principal> {
    const role =
      principal.apiKeyId === null
        ? await this.userRole(principal, email)
        : await this.apiKeyRole(principal.tenantId, principal.apiKeyId);
    return {
      ...principal,
      role,
      installationAdmin: role === 'admin' && principal.tenantId === this.settings.adminTenantId,
    };
  }

  private async apiKeyRole(tenantId: string, apiKeyId: string): Promise<Role> {
    const rows: Omit<KeyRow, 'id' | 'key_hash'>[] = await this.system.query(
      `SELECT k.tenant_id, k.expires_at, k.revoked_at, b.role
       FROM api_keys k JOIN role_bindings b ON b.api_key_id = k.id
       WHERE k.id = $1`,
      [apiKeyId],
    );
    const key = rows[0];
    if (key === undefined || key.tenant_id !== tenantId) {
      throw new DomainError('UNAUTHENTICATED', `API key ${apiKeyId} of this token no longer exists`);
    }
    if (!isApiKeyUsable({ expiresAt: key.expires_at, revokedAt: key.revoked_at }, new Date())) {
      throw new DomainError('UNAUTHENTICATED', `API key ${apiKeyId} of this token is revoked or expired`);
    }
    return key.role;
  }

  private async userRole(principal: Principal, email: string | null): Promise<Role> {
    const subject = principal.actor.slice('user:'.length);
    const rows: BoundUserRow[] = await this.system.query(
      `SELECT u.id, u.status, b.role
       FROM users u LEFT JOIN role_bindings b ON b.user_id = u.id
       WHERE u.tenant_id = $1 AND (u.id::text = $2 OR u.email = $3)
       ORDER BY (u.id::text = $2) DESC LIMIT 1`,
      [principal.tenantId, subject, email?.toLowerCase() ?? null],
    );
    const user = rows[0];
    if (user === undefined) return principal.role;
    if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED', `user ${user.id} is disabled`);
    if (user.role === null) {
      throw new DomainError(
        'PERMISSION_DENIED',
        `user ${user.id} has no role binding in tenant ${principal.tenantId}`,
      );
    }
    return user.role;
  }

  async authenticateApiKey(token: string): Promise<Principal> {
    const rows: KeyRow[] = await this.system.query(
      `SELECT k.id, k.tenant_id, k.key_hash, k.expires_at, k.revoked_at, b.role
       FROM api_keys k JOIN role_bindings b ON b.api_key_id = k.id
       WHERE k.prefix = $1`,
      [lookupPrefixOf(token)],
    );
    const key = rows[0];
    if (key === undefined || !apiKeyMatches(token, key.key_hash)) {
      throw new DomainError('UNAUTHENTICATED', 'the API key is not valid');
    }
    if (!isApiKeyUsable({ expiresAt: key.expires_at, revokedAt: key.revoked_at }, new Date())) {
      throw new DomainError('UNAUTHENTICATED', `API key ${key.id} is revoked or expired`);
    }
    return {
      tenantId: key.tenant_id,
      role: key.role,
      actor: `api_key:${key.id}`,
      apiKeyId: key.id,
      installationAdmin: key.role === 'admin' && key.tenant_id === this.settings.adminTenantId,
    };
  }

  async limitsOf(tenantId: string): Promise<TenantLimits> {
    const cached = this.limits.get(tenantId);
    if (cached !== undefined && Date.now() - cached.readAt < LIMITS_TTL_MS) return cached.value;
    const rows: { status: TenantStatus; quota_api_requests_per_minute: number }[] = await this.system.query(
      'SELECT status, quota_api_requests_per_minute FROM tenants WHERE id = $1',
      [tenantId],
    );
    const row = rows[0];
    if (row === undefined) throw new DomainError('UNAUTHENTICATED', `tenant ${tenantId} does not exist`);
    const value = { status: row.status, requestsPerMinute: row.quota_api_requests_per_minute };
    this.limits.set(tenantId, { value, readAt: Date.now() });
    return value;
  }

  /** Forgets a tenant's cached limits, after it changed them. */
  forgetLimits(tenantId: string): void {
    this.limits.delete(tenantId);
  }
}

function bearerTokenOf(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new DomainError(
      'UNAUTHENTICATED',
      'send an API key or an access token as "Authorization: Bearer <token>"',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match?.[1] === undefined) {
    throw new DomainError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
  }
  return match[1];
}
