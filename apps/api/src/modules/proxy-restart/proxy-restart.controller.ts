import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiAccepted, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { nodeIdParam } from '../proxies/proxy.dto';
import {
  type RestartRequest,
  restartRequestSchema,
  type RestartRequestView,
  restartRequestViewSchema,
} from './proxy-restart.dto';
import { ProxyRestartService } from './proxy-restart.service';

@ApiTags('proxies')
@ApiSecured()
@Controller('api/v1/proxies')
export class ProxyRestartController {
  constructor(private readonly restarts: ProxyRestartService) {}

  @ApiBody({ required: false, schema: jsonSchemaOf(restartRequestSchema, 'input') })
  @ApiAccepted(
    restartRequestViewSchema,
    "the restart command is queued for the agent of the proxy's node",
    409,
  )
  @Post(':nodeId/restart')
  @Requires('operator')
  @HttpCode(202)
  restart(
    @CurrentPrincipal() principal: Principal,
    @Param('nodeId', new ZodPipe(nodeIdParam, 'params')) nodeId: string,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(restartRequestSchema, 'body')) body: RestartRequest,
  ): Promise<RestartRequestView> {
    return this.restarts.request(principal, nodeId, body.graceSeconds);
  }
}
