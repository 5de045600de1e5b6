import {
  booleanVariable,
  httpServerVariables,
  integerVariable,
  natsNamespaceVariable,
  natsUrlVariable,
} from '@envoy-fleet/telemetry/env';
import { labelKeyProblem, labelValueProblem } from '@envoy-fleet/domain';
import { z } from 'zod';
import { DEFAULT_DOCKER_HOST, DOCKER_HOST_FORMAT } from './docker/docker-host';

const interval = (defaultMs: number, what: string) =>
  integerVariable(500, 3_600_000)
    .default(defaultMs)
    .describe(`${what}, in milliseconds; default ${defaultMs}`);

/** `key=value,key=value` with Kubernetes label syntax. */
const labelsVariable = z
  .string()
  .transform((text, context) => {
    const labels: Record<string, string> = {};
    for (const pair of text.split(',').filter((part) => part.trim() !== '')) {
      const [key = '', value = ''] = pair.split('=', 2).map((part) => part.trim());
      const problem = pair.includes('=')
        ? (labelKeyProblem(key) ?? labelValueProblem(value))
        : 'expected key=value';
      if (problem !== null) context.addIssue({ code: 'custom', message: `"${pair}": ${problem}` });
      labels[key] = value;
    }
    return labels;
  })
  .default({})
  .describe('labels of this VM as key=value pairs separated by commas; default none');

const settings = {
  ...httpServerVariables(8084),
  DOCKER_HOST: z
    .string()
    .regex(DOCKER_HOST_FORMAT, 'expected unix:///path/to/docker.sock or tcp://host:port')
    .default(DEFAULT_DOCKER_HOST)
    .describe(`Docker Engine API the agent runs Envoy containers with; default ${DEFAULT_DOCKER_HOST}`),
  NODE_ID: z
    .uuid('expected the UUID of this VM in the nodes resource')
    .optional()
    .describe(
      'id of this VM as the api knows it (POST /api/v1/nodes); without it the agent joins no fleet and only serves its health endpoints',
    ),
  AGENT_HOSTNAME: z
    .string()
    .min(1)
    .optional()
    .describe("the VM's host name to report; default the OS host name"),
  AGENT_REGION: z.string().min(1).optional().describe('region of this VM; default none'),
  AGENT_ZONE: z
    .string()
    .min(1)
    .optional()
    .describe("zone of this VM, the Envoys' locality unless a proxy has its own; default none"),
  AGENT_LABELS: labelsVariable,
  AGENT_DOCKER_NETWORK: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected host or a Docker network name')
    .default('host')
    .describe('Docker network of the Envoy containers; default host'),
  AGENT_HEARTBEAT_INTERVAL_MS: interval(5_000, 'time between heartbeats'),
  AGENT_PROBE_INTERVAL_MS: interval(10_000, "time between probes of each Envoy's admin /ready"),
  AGENT_RECONCILE_INTERVAL_MS: interval(
    60_000,
    'time between reconciliations of Docker with the wanted proxies',
  ),
  AGENT_REMOVE_UNKNOWN: booleanVariable()
    .default(false)
    .describe(
      'remove containers named envoy-proxy-* that the agent does not manage (default false: report them only)',
    ),
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
