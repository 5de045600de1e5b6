import { Injectable } from '@nestjs/common';
import { DEFAULT_STOP_GRACE_SECONDS } from '@envoy-fleet/domain';
import type { ControlPlaneServiceServer } from '@envoy-fleet/proto/management';
import { ProxyService } from '../modules/proxies/proxy.service';
import { ProxyRestartService } from '../modules/proxy-restart/proxy-restart.service';
import { GrpcEdge } from './grpc-edge';
import { proxyMessage } from './proxy-messages';

/**
 * RestartProxy over the service of `POST /api/v1/proxies/{node_id}/restart`: the node-agent `restart`
 * command is queued for the proxy's VM with the default grace period, and the proxy is answered as it
 * stands (its status follows once the agent reports).
 */
@Injectable()
export class ProxyRestartGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly proxies: ProxyService,
    private readonly restarts: ProxyRestartService,
  ) {}

  handlers(): Pick<ControlPlaneServiceServer, 'restartProxy'> {
    const { edge, proxies, restarts } = this;
    return {
      restartProxy: edge.unary({ role: 'operator' }, async (principal, request) => {
        const proxy = await proxies.find(principal, request.id);
        await restarts.request(principal, proxy.nodeId, DEFAULT_STOP_GRACE_SECONDS);
        return { proxy: proxyMessage(proxy) };
      }),
    };
  }
}
