import { type SimBootstrap, type XdsMode } from '../src/bootstrap/sim-bootstrap';
import { ENVOY_CLIENT_FEATURES } from '../src/bootstrap/sim-bootstrap';

export function testBootstrap(
  port: number,
  mode: XdsMode,
  overrides: Partial<SimBootstrap['xds']> = {},
): SimBootstrap {
  return {
    node: {
      id: 'proxy-1',
      cluster: 'edge',
      locality: { region: 'eu', zone: 'eu-1a' },
      metadata: { instance_id: 'i-1' },
      userAgentName: 'envoy',
      userAgentVersion: '1.31.0',
      clientFeatures: ENVOY_CLIENT_FEATURES,
    },
    xds: {
      host: '127.0.0.1',
      port,
      mode,
      setNodeOnFirstMessageOnly: true,
      initialFetchTimeoutMs: 0,
      ...overrides,
    },
    admin: { address: '127.0.0.1', port: 0 },
  };
}
