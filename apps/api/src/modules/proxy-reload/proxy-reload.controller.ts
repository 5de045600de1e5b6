import { ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiAccepted, ApiSecured } from '../../openapi/api-docs.decorators';
import { nodeIdParam } from '../proxies/proxy.dto';
import { type ReloadRequestView, reloadRequestViewSchema } from './proxy-reload.dto';
import { ProxyReloadService } from './proxy-reload.service';

@ApiTags('proxies')
@ApiSecured()
@Controller('api/v1/proxies')
export class ProxyReloadController {
  constructor(private readonly reloads: ProxyReloadService) {}

  @ApiAccepted(reloadRequestViewSchema, "fleet-manager re-resolves and republishes the proxy's snapshot")
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
