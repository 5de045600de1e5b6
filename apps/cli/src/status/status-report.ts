import { z } from 'zod';
import type { ApiResponse } from '../api-client';
import { formatTable } from '../format-table';

const livenessBody = z.object({ status: z.string() });
const readinessBody = z.object({
  status: z.string(),
  checks: z.record(z.string(), z.object({ status: z.string(), error: z.string().optional() })),
});

export interface StatusReport {
  readonly ready: boolean;
  readonly text: string;
}

/** The table `envoy-fleet status` prints, from the answers of `/healthz` and `/readyz`. */
export function statusReport(apiUrl: string, liveness: ApiResponse, readiness: ApiResponse): StatusReport {
  const rows: string[][] = [['CHECK', 'STATUS', 'DETAIL']];
  rows.push(['liveness', ...probeCells(liveness, livenessBody)]);
  rows.push(['readiness', ...probeCells(readiness, readinessBody)]);
  const parsedReadiness = readinessBody.safeParse(readiness.body);
  if (parsedReadiness.success) {
    for (const [name, check] of Object.entries(parsedReadiness.data.checks)) {
      rows.push([`  ${name}`, check.status, check.error ?? '']);
    }
  }
  const ready =
    readiness.status === 200 && parsedReadiness.success && parsedReadiness.data.status === 'ready';
  const summary = ready
    ? `envoy-fleet API at ${apiUrl} is ready`
    : `envoy-fleet API at ${apiUrl} is NOT ready`;
  return { ready, text: `${formatTable(rows)}\n\n${summary}` };
}

function probeCells(response: ApiResponse, schema: z.ZodType<{ status: string }>): [string, string] {
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return [parsed.data.status, `HTTP ${response.status}`];
  return ['unknown', `HTTP ${response.status}, not an envoy-fleet health answer`];
}
