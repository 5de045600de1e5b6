import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError, type Role } from '@envoy-fleet/domain';
import type { FastifyRequest } from 'fastify';

/** Who is calling, established by the auth guard from the bearer token. */
export interface Principal {
  readonly tenantId: string;
  readonly role: Role;
  /** Recorded in the audit log and used as the rate-limit key: `api_key:<id>` or `user:<subject>`. */
  readonly actor: string;
  /** The API key the call is made with (directly or through a token exchanged for it). */
  readonly apiKeyId: string | null;
  /** An admin of the installation's admin tenant: may manage every tenant. */
  readonly installationAdmin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The authenticated caller of an `/api/v1` route. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal === undefined) throw new DomainError('UNAUTHENTICATED', 'this route needs a bearer token');
    return principal;
  },
);
