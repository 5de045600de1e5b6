import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { API_KEY_SCHEME, ApiProblems } from '../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../openapi/zod-json-schema';
import { AuthService } from './auth.service';
import type { IssuedToken } from './access-token.service';
import { Public } from './requires.decorator';

const issuedTokenSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('seconds'),
});

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges the API key sent as bearer token for a short-lived access token. */
  @Post('token')
  @ApiBearerAuth(API_KEY_SCHEME)
  @ApiResponse({
    status: 200,
    description: 'an HS256 access token for the API key',
    schema: jsonSchemaOf(issuedTokenSchema, 'output'),
  })
  @ApiProblems()
  @Public()
  @HttpCode(200)
  exchange(@Headers('authorization') authorization: string | undefined): Promise<IssuedToken> {
    return this.auth.exchange(authorization);
  }
}
