import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

type HttpLabel = 'route' | 'method' | 'status';

export interface ServiceMetrics {
  /** This app's registry: apps sharing a process (the embedded launcher) keep separate ones. */
  readonly registry: Registry;
  readonly httpRequestsTotal: Counter<HttpLabel>;
  readonly httpRequestDurationSeconds: Histogram<HttpLabel>;
}

export function createServiceMetrics(serviceName: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });
  const labelNames: HttpLabel[] = ['route', 'method', 'status'];
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code',
      labelNames,
      registers: [registry],
    }),
    httpRequestDurationSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending the last byte of its response',
      labelNames,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
