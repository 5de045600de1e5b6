import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { z } from 'zod';
import { urlVariable } from '../env/env-variables';
import { loadEnv } from '../env/load-env';
import { isProbePath } from '../http/probe-paths';

const telemetryEnvSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: urlVariable(['http', 'https'])
    .optional()
    .describe('OTLP/HTTP collector base URL (traces go to <url>/v1/traces); unset: no traces are exported'),
});

export interface TelemetryOptions {
  /** The OpenTelemetry `service.name`; the embedded launcher passes one name for all its apps. */
  readonly serviceName: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface TelemetryHandle {
  readonly serviceName: string;
  /** Flushes spans not yet exported. */
  shutdown(): Promise<void>;
}

let running: TelemetryHandle | undefined;

/**
 * Starts OpenTelemetry tracing with the http, pg and ioredis instrumentations. Instrumentation works by
 * patching modules as they are loaded, so call this before anything that loads `pg`, `ioredis`, Nest or
 * Fastify: an entry point imports only `@envoy-fleet/telemetry/entrypoint`, calls this, and only then
 * loads the rest of the app with a dynamic `import()` (see `runMain`). Spans are exported over OTLP/HTTP
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; otherwise spans are still created, so trace context reaches
 * logs and outgoing requests, but dropped. Starting twice returns the first handle: one process, one SDK.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } = loadEnv(telemetryEnvSchema, options.env);
  if (running) return running;
  const spanProcessor = endpoint
    ? new tracing.BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
      )
    : new tracing.NoopSpanProcessor();
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: [spanProcessor],
    // Logs are JSON lines on stdout; without this the SDK would also ship them to a default OTLP endpoint.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isProbePath(request.url) }),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  running = { serviceName: options.serviceName, shutdown: () => sdk.shutdown() };
  return running;
}
