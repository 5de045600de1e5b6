import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { AuthService } from './auth.service';
import type { IssuedToken } from './access-token.service';
import { Public } from './requires.decorator';

@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges the API key sent as bearer token for a short-lived access token. */
  @Post('token')
  @Public()
  @HttpCode(200)
  exchange(@Headers('authorization') authorization: string | undefined): Promise<IssuedToken> {
    return this.auth.exchange(authorization);
  }
}
