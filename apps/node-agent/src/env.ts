import { httpServerVariables, natsNamespaceVariable, natsUrlVariable } from '@envoy-fleet/telemetry/env';
import { z } from 'zod';
import { DEFAULT_DOCKER_HOST, DOCKER_HOST_FORMAT } from './docker/docker-host';

const settings = {
  ...httpServerVariables(8084),
  DOCKER_HOST: z
    .string()
    .regex(DOCKER_HOST_FORMAT, 'expected unix:///path/to/docker.sock or tcp://host:port')
    .default(DEFAULT_DOCKER_HOST)
    .describe(`Docker Engine API the agent runs Envoy containers with; default ${DEFAULT_DOCKER_HOST}`),
};

/** The variables that name the message broker: read only when the app connects to it itself. */
const connections = {
  NATS_URL: natsUrlVariable(),
  NATS_NAMESPACE: natsNamespaceVariable(),
};

/** Every variable of the node-agent run on its own. */
export const nodeAgentEnvSchema = z.object({ ...settings, ...connections });

/** The variables of the node-agent run by the embedded launcher, which hands it the event bus. */
export const nodeAgentEmbeddedEnvSchema = z.object(settings);

export type NodeAgentEnv = z.output<typeof nodeAgentEnvSchema>;
export type NodeAgentEmbeddedEnv = z.output<typeof nodeAgentEmbeddedEnvSchema>;
