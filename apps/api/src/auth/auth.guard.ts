import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@envoy-fleet/domain';
import type { FastifyRequest } from 'fastify';
import { Admission } from './admission.service';
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
    private readonly admission: Admission,
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
    request.principal = await this.admission.admit(request.headers.authorization, {
      role: this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets) ?? 'admin',
      installationAdminOnly: this.reflector.getAllAndOverride<boolean>(INSTALLATION_ADMIN_ONLY, targets),
    });
    return true;
  }
}
