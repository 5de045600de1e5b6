import type { LoggerService } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { LogLevel } from './env/env-variables';
import { Lifecycle } from './health/lifecycle';
import { createLogger, type Logger } from './logging/create-logger';
import { NestLoggerAdapter } from './logging/nest-logger.adapter';
import { createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics';

/** The per-app half of telemetry: one per app, even when several apps share a process. */
export interface ServiceTelemetry {
  readonly serviceName: string;
  readonly logger: Logger;
  readonly nestLogger: LoggerService;
  readonly metrics: ServiceMetrics;
  readonly lifecycle: Lifecycle;
}

export interface ServiceTelemetryOptions {
  readonly serviceName: string;
  readonly logLevel: LogLevel;
  readonly logDestination?: DestinationStream;
}

export function createServiceTelemetry(options: ServiceTelemetryOptions): ServiceTelemetry {
  const logger = createLogger({
    serviceName: options.serviceName,
    level: options.logLevel,
    destination: options.logDestination,
  });
  return {
    serviceName: options.serviceName,
    logger,
    nestLogger: new NestLoggerAdapter(logger),
    metrics: createServiceMetrics(options.serviceName),
    lifecycle: new Lifecycle(),
  };
}
