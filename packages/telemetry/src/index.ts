export * from './env-validation';
export {
  createServiceTelemetry,
  type ServiceTelemetry,
  type ServiceTelemetryOptions,
} from './service-telemetry';
export { createLogger, type Logger, type LoggerOptions } from './logging/create-logger';
export { currentCorrelationId, runWithCorrelationId } from './logging/request-context';
export { HealthModule, type HealthModuleOptions } from './health/health.module';
export {
  healthReportCheck,
  type CheckResult,
  type ReadinessCheck,
  type ReadinessReport,
} from './health/readiness';
export { reachableHost } from './http/reachable-host';
export { startHttpApp, type HttpAppOptions } from './http/start-http-app';
export { OwnedResources } from './shutdown/owned-resources';
export type { AppEndpoint, RunningApp } from './shutdown/running-app';
