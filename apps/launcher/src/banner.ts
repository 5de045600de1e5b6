import type { LaunchedProduct } from './launched-app';

/** What the launcher prints once everything is up: where each app listens and where to check on it. */
export function banner(product: LaunchedProduct): string {
  const width = Math.max(...product.apps.map((app) => app.name.length));
  const api = product.apps.find((app) => app.name === 'api');
  const endpoints = product.apps.flatMap((app) => app.endpoints);
  return [
    `envoy-fleet is running: ${product.description}.`,
    ...(api === undefined ? [] : [`  API            ${api.url}`]),
    ...endpoints.map((endpoint) => `  ${endpoint.label}  ${endpoint.address}`),
    '  Apps (liveness /healthz, readiness /readyz, Prometheus /metrics):',
    ...product.apps.map((app) => `    ${app.name.padEnd(width)}  ${app.url}/healthz`),
    'Stop it with Ctrl-C or SIGTERM.',
    '',
  ].join('\n');
}
