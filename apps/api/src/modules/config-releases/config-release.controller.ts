import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { IdParam } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { versionNumberParam } from '../configs/config.dto';
import { type ConfigReleaseView, configReleaseViewSchema } from './config-release.dto';
import { ConfigReleaseService } from './config-release.service';

@ApiTags('configs')
@ApiSecured()
@Controller('api/v1/configs')
export class ConfigReleaseController {
  constructor(private readonly releases: ConfigReleaseService) {}

  /**
   * Serves a version that proxies NACKed to the proxies that connect later anyway: a lasting NACK
   * withholds its version from them (they get the last ACKed version) until an operator releases it.
   */
  @Post(':id/versions/:number/release')
  @ApiResponse({
    status: 200,
    description:
      'released: the NACKs that withheld the version are marked released, and fleet-manager serves it to proxies that were not served it yet',
    schema: jsonSchemaOf(configReleaseViewSchema, 'output'),
  })
  @ApiProblems(400, 404, 409)
  @Requires('operator')
  @HttpCode(200)
  release(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Param('number', new ZodPipe(versionNumberParam, 'params')) number: number,
  ): Promise<ConfigReleaseView> {
    return this.releases.release(principal, id, number);
  }
}
