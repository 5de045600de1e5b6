import { randomUUID } from 'node:crypto';
import type { ProxyContainerSpecInput } from '@envoy-fleet/domain';
import type { RunningApp } from '@envoy-fleet/telemetry';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../../src/bootstrap';
import { TEST_IMAGE, TEST_LABEL_KEY, TEST_LABEL_VALUE } from './test-image';

/** Starts the agent in this process against a real NATS and the machine's Docker engine. */
export function startAgent(
  natsUrl: string,
  nodeId: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningApp> {
  return freePort().then((port) =>
    bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: port,
        LOG_LEVEL: 'error',
        NATS_URL: natsUrl,
        DOCKER_HOST: 'unix:///var/run/docker.sock',
        NODE_ID: nodeId,
        AGENT_ZONE: 'test-zone-a',
        AGENT_REGION: 'test-region',
        AGENT_LABELS: 'rack=r1,tier=edge',
        AGENT_HEARTBEAT_INTERVAL_MS: '1000',
        AGENT_PROBE_INTERVAL_MS: '1000',
        AGENT_RECONCILE_INTERVAL_MS: '2000',
        ...env,
      },
    }),
  );
}

/** A group name of the suite's own: container names are global on the Docker engine. */
export function uniqueGroup(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

/** A container spec on the test image with ports of its own. */
export async function proxySpec(
  groupName: string,
  ordinal: number,
  overrides: Partial<ProxyContainerSpecInput> = {},
): Promise<ProxyContainerSpecInput> {
  return {
    proxyId: randomUUID(),
    tenantId: randomUUID(),
    xdsNodeId: `${groupName}-${ordinal}`,
    groupName,
    ordinal,
    image: TEST_IMAGE,
    proxyPort: Number(await freePort()),
    adminPort: Number(await freePort()),
    // Nothing listens there: the simulated Envoy keeps retrying, as Envoy does without its xDS server.
    xds: { host: '127.0.0.1', port: Number(await freePort()) },
    resources: { memoryMib: 256, cpuMillicores: 500 },
    labels: { [TEST_LABEL_KEY]: TEST_LABEL_VALUE },
    ...overrides,
  };
}
