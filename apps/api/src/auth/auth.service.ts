import { Injectable } from '@nestjs/common';
import { DomainError } from '@envoy-fleet/domain';
import { AccessTokenService, type IssuedToken } from './access-token.service';
import { CredentialsService } from './credentials.service';
import { RateLimiter } from './rate-limiter';

@Injectable()
export class AuthService {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tokens: AccessTokenService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async exchange(authorization: string | undefined): Promise<IssuedToken> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'send the API key to exchange as "Authorization: Bearer <API key>"',
      );
    }
    if (match[1].split('.').length === 3) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'only an API key can be exchanged for an access token, not a token',
      );
    }
    const principal = await this.credentials.authenticateApiKey(match[1]);
    const limits = await this.credentials.limitsOf(principal.tenantId);
    if (limits.status !== 'active')
      throw new DomainError('PERMISSION_DENIED', `tenant ${principal.tenantId} is ${limits.status}`);
    this.rateLimiter.take(principal.actor, limits.requestsPerMinute);
    return this.tokens.issue(principal);
  }
}
