import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, type Role, roleSatisfies } from '@envoy-fleet/domain';
import type { FastifyRequest } from 'fastify';
import { CredentialsService } from './credentials.service';
import { RateLimiter } from './rate-limiter';
import { INSTALLATION_ADMIN_ONLY, PUBLIC_ROUTE, REQUIRED_ROLE } from './requires.decorator';

/** Everything under it needs a bearer token; health, readiness, metrics and the docs stay public. */
export const API_PATH_PREFIX = '/api/v1/';

/**
 * Authenticates every `/api/v1` request (401), keeps the tenant's request rate (429), and checks the
 * caller's role against the route's `@Requires` (403). Routes that declare no role need admin.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const targets = [context.getHandler(), context.getClass()];
    if (
      !request.url.startsWith(API_PATH_PREFIX) ||
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)
    ) {
      return true;
    }
    const principal = await this.credentials.authenticate(request.headers.authorization);
    const limits = await this.credentials.limitsOf(principal.tenantId);
    if (limits.status !== 'active') {
      throw new DomainError('PERMISSION_DENIED', `tenant ${principal.tenantId} is ${limits.status}`);
    }
    this.rateLimiter.take(principal.actor, limits.requestsPerMinute);
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets) ?? 'admin';
    if (!roleSatisfies(principal.role, required)) {
      throw new DomainError(
        'PERMISSION_DENIED',
        `this needs the ${required} role; the caller is ${principal.role}`,
        {
          details: { required, held: principal.role },
        },
      );
    }
    if (
      this.reflector.getAllAndOverride<boolean>(INSTALLATION_ADMIN_ONLY, targets) &&
      !principal.installationAdmin
    ) {
      throw new DomainError(
        'PERMISSION_DENIED',
        "only admins of the installation's admin tenant manage tenants",
      );
    }
    request.principal = principal;
    return true;
  }
}
