import type { ServiceTelemetry } from '../service-telemetry';
import type { ReadinessCheck } from './readiness';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  readonly telemetry: ServiceTelemetry;
  readonly checks: readonly ReadinessCheck[];
  /** How long one readiness check may take before it counts as failed. */
  readonly timeoutMs: number;
}
