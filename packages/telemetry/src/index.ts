export { EnvError, loadEnv } from './env/load-env';
export {
  booleanVariable,
  hostVariable,
  httpServerVariables,
  integerVariable,
  LOG_LEVELS,
  type LogLevel,
  logLevelVariable,
  portVariable,
  urlVariable,
} from './env/env-variables';
export {
  createServiceTelemetry,
  type ServiceTelemetry,
  type ServiceTelemetryOptions,
} from './service-telemetry';
export { createLogger, type Logger, type LoggerOptions } from './logging/create-logger';
export { currentCorrelationId, runWithCorrelationId } from './logging/request-context';
export { HealthModule, type HealthModuleOptions } from './health/health.module';
export type { CheckResult, ReadinessCheck, ReadinessReport } from './health/readiness';
export { startHttpApp, type HttpAppOptions } from './http/start-http-app';
export { OwnedResources } from './shutdown/owned-resources';
export type { RunningApp } from './shutdown/running-app';
