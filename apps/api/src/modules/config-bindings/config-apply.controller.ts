import { ApiBody, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { IdParam, WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import {
  type ConfigApply,
  configApplySchema,
  type ConfigApplyView,
  configApplyViewSchema,
} from './config-apply.dto';
import { ConfigApplyService } from './config-apply.service';

@ApiTags('configs')
@ApiSecured()
@Controller('api/v1/configs')
export class ConfigApplyController {
  constructor(private readonly applies: ConfigApplyService) {}

  /** Binds the config to a group, proxies or a selector; fleet-manager then delivers its newest version. */
  @Post(':id/apply')
  @ApiBody({ schema: jsonSchemaOf(configApplySchema, 'input') })
  @ApiQuery({ name: 'dryRun', required: false, schema: { type: 'string', enum: ['true', 'false'] } })
  @ApiResponse({
    status: 200,
    description: 'the version applied and the bindings that now name the config',
    schema: jsonSchemaOf(configApplyViewSchema, 'output'),
  })
  @ApiProblems(400, 404, 409, 413, 415, 422)
  @Requires('operator')
  @HttpCode(200)
  apply(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(configApplySchema, 'body')) body: ConfigApply,
  ): Promise<ConfigApplyView> {
    return this.applies.apply(principal, id, body);
  }
}
