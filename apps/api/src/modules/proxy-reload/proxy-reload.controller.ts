import { ApiHeader, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { nodeIdParam } from '../proxies/proxy.dto';
import { type ReloadRequestView, reloadRequestViewSchema } from './proxy-reload.dto';
import { ProxyReloadService } from './proxy-reload.service';

@ApiTags('proxies')
@ApiSecured()
@Controller('api/v1/proxies')
export class ProxyReloadController {
  constructor(private readonly reloads: ProxyReloadService) {}

  @ApiResponse({
    status: 202,
    description: "accepted: fleet-manager re-resolves and republishes the proxy's snapshot",
    schema: jsonSchemaOf(reloadRequestViewSchema, 'output'),
  })
  @ApiQuery({ name: 'dryRun', required: false, schema: { type: 'string', enum: ['true', 'false'] } })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'makes retries safe: the first response is replayed for 24 hours (Idempotent-Replayed: true)',
  })
  @ApiProblems(400, 404)
  @Post(':nodeId/reload')
  @Requires('operator')
  @HttpCode(202)
  reload(
    @CurrentPrincipal() principal: Principal,
    @Param('nodeId', new ZodPipe(nodeIdParam, 'params')) nodeId: string,
    @WriteQuery() _query: unknown,
  ): Promise<ReloadRequestView> {
    return this.reloads.request(principal, nodeId);
  }
}
