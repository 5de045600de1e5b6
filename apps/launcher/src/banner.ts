import type { LaunchedProduct } from './launched-app';

/** What the launcher prints once everything is up: where each app listens and where to check on it. */
export function banner(product: LaunchedProduct): string {
  const endpoints = product.apps.flatMap((app) => app.endpoints);
  const labelWidth = Math.max(0, ...endpoints.map((endpoint) => endpoint.label.length));
  const nameWidth = Math.max(...product.apps.map((app) => app.name.length));
  return [
    `envoy-fleet is running: ${product.description}.`,
    ...endpoints.map((endpoint) => `  ${endpoint.label.padEnd(labelWidth)}  ${endpoint.address}`),
    '  Apps (liveness /healthz, readiness /readyz, Prometheus /metrics):',
    ...product.apps.map((app) => `    ${app.name.padEnd(nameWidth)}  ${app.url}/healthz`),
    'Stop it with Ctrl-C or SIGTERM.',
    '',
  ].join('\n');
}
