import { type EventBus, openEventBus } from '@envoy-fleet/messaging';
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
import { AppModule } from './app.module';
import { dockerOptionsFrom } from './docker/docker-host';
import {
  nodeAgentEmbeddedEnvSchema,
  type NodeAgentEmbeddedEnv,
  type NodeAgentEnv,
  nodeAgentEnvSchema,
} from './env';

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
  return startHttpApp({
    telemetry,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    compose: async (resources) => {
      const { bus } = await openAdapters(resources, telemetry);
      return AppModule.register({
        telemetry,
        readinessChecks: [
          healthReportCheck('event-bus', () => bus.health()),
          { name: 'docker', check: async () => void (await docker.ping()) },
        ],
      });
    },
  });
}

async function connect(
  env: NodeAgentEnv,
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
): Promise<NodeAgentAdapters> {
  const bus = await openEventBus(resources, env, { name: SERVICE_NAME, logger: telemetry.logger });
  return { bus };
}
