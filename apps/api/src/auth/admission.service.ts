import { Injectable } from '@nestjs/common';
import { DomainError, type Role, roleSatisfies } from '@envoy-fleet/domain';
import { CredentialsService } from './credentials.service';
import type { Principal } from './principal';
import { RateLimiter } from './rate-limiter';

/** What an operation demands of its caller. */
export interface AdmissionRule {
  /** The least role in the caller's tenant (viewer < operator < admin). */
  readonly role: Role;
  /** Only admins of the installation's admin tenant (operations on other tenants). */
  readonly installationAdminOnly?: boolean;
}

/**
 * Who may call what, for every transport (the REST guard, the gRPC edge): the bearer token is
 * authenticated (UNAUTHENTICATED), the tenant must be active (PERMISSION_DENIED), the credential's
 * request rate is taken (RATE_LIMITED), and its role must satisfy the operation's (PERMISSION_DENIED).
 */
@Injectable()
export class Admission {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async admit(authorization: string | undefined, rule: AdmissionRule): Promise<Principal> {
    const principal = await this.credentials.authenticate(authorization);
    const limits = await this.credentials.limitsOf(principal.tenantId);
    if (limits.status !== 'active') {
      throw new DomainError('PERMISSION_DENIED', `tenant ${principal.tenantId} is ${limits.status}`);
    }
    this.rateLimiter.take(principal.actor, limits.requestsPerMinute);
    if (!roleSatisfies(principal.role, rule.role)) {
      throw new DomainError(
        'PERMISSION_DENIED',
        `this needs the ${rule.role} role; the caller is ${principal.role}`,
        {
          details: { required: rule.role, held: principal.role },
        },
      );
    }
    if (rule.installationAdminOnly === true && !principal.installationAdmin) {
      throw new DomainError(
        'PERMISSION_DENIED',
        "only admins of the installation's admin tenant manage tenants",
      );
    }
    return principal;
  }
}
