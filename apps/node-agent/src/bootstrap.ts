import os from 'node:os';
import { type EventBus, JetStreamEventBus } from '@envoy-fleet/messaging';
import {
  createServiceTelemetry,
  healthReportCheck,
  loadEnv,
  type OwnedResources,
  type RunningApp,
  type ServiceTelemetry,
  startHttpApp,
} from '@envoy-fleet/telemetry';
import Docker from 'dockerode';
import { systemClock } from './agent/clock';
import { NodeAgent } from './agent/node-agent';
import { AppModule } from './app.module';
import { dockerOptionsFrom } from './docker/docker-host';
import { DockerodeEngine } from './docker/dockerode-engine';
import {
  nodeAgentEmbeddedEnvSchema,
  type NodeAgentEmbeddedEnv,
  type NodeAgentEnv,
  nodeAgentEnvSchema,
} from './env';
import { HttpAdminClient } from './observe/admin-client';

const SERVICE_NAME = 'node-agent';

export interface NodeAgentAdapters {
  readonly bus: EventBus;
}

export interface NodeAgentRuntime {
  /** The variables to read instead of `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Adapters owned by the caller (the embedded launcher); without them the agent connects to NATS. */
  readonly adapters?: NodeAgentAdapters;
}

/** Starts the node-agent and resolves once it listens. */
export async function bootstrap(runtime: NodeAgentRuntime = {}): Promise<RunningApp> {
  const { adapters } = runtime;
  if (adapters !== undefined) {
    return start(loadEnv(nodeAgentEmbeddedEnvSchema, runtime.env), () => Promise.resolve(adapters));
  }
  const env = loadEnv(nodeAgentEnvSchema, runtime.env);
  return start(env, (resources, telemetry) => connect(env, resources, telemetry));
}

type OpenAdapters = (resources: OwnedResources, telemetry: ServiceTelemetry) => Promise<NodeAgentAdapters>;

function start(env: NodeAgentEmbeddedEnv, openAdapters: OpenAdapters): Promise<RunningApp> {
  const telemetry = createServiceTelemetry({ serviceName: SERVICE_NAME, logLevel: env.LOG_LEVEL });
  const docker = new Docker(dockerOptionsFrom(env.DOCKER_HOST));
  const engine = new DockerodeEngine(docker);
  return startHttpApp({
    telemetry,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    compose: async (resources) => {
      const { bus } = await openAdapters(resources, telemetry);
      const nodeId = env.NODE_ID;
      if (nodeId === undefined) {
        telemetry.logger.warn('NODE_ID is not set: this agent joins no fleet and runs no containers');
      } else {
        await resources.open(
          'node agent',
          () => {
            const agent = new NodeAgent(
              {
                nodeId,
                hostname: env.AGENT_HOSTNAME ?? os.hostname(),
                region: env.AGENT_REGION ?? null,
                zone: env.AGENT_ZONE ?? null,
                labels: env.AGENT_LABELS,
                network: env.AGENT_DOCKER_NETWORK,
                heartbeatIntervalMs: env.AGENT_HEARTBEAT_INTERVAL_MS,
                probeIntervalMs: env.AGENT_PROBE_INTERVAL_MS,
                reconcileIntervalMs: env.AGENT_RECONCILE_INTERVAL_MS,
                removeUnknown: env.AGENT_REMOVE_UNKNOWN,
              },
              { engine, bus, admin: new HttpAdminClient(), clock: systemClock, logger: telemetry.logger },
            );
            agent.start();
            return Promise.resolve(agent);
          },
          (agent) => agent.close(),
        );
      }
      return AppModule.register({
        telemetry,
        readinessChecks: [
          healthReportCheck('event-bus', () => bus.health()),
          { name: 'docker', check: () => engine.ping() },
        ],
      });
    },
  });
}

/**
 * The agent's own bus. It is not provisioned here: NATS may be down when the agent starts, and the
 * agent must still look after its containers; the agent provisions the streams once NATS answers.
 */
function connect(
  env: NodeAgentEnv,
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
): Promise<NodeAgentAdapters> {
  return resources.open(
    'event bus',
    () =>
      Promise.resolve({
        bus: JetStreamEventBus.create({
          servers: env.NATS_URL,
          namespace: env.NATS_NAMESPACE,
          name: SERVICE_NAME,
          logger: telemetry.logger,
        }),
      }),
    ({ bus }) => bus.close(),
  );
}
