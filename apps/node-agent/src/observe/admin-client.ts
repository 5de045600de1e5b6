import type { ProbeResult } from '@envoy-fleet/domain';

/** Envoy's admin interface of one container, reached on the host's loopback. */
export interface AdminClient {
  probe(adminPort: number, withStats: boolean): Promise<ProbeResult>;
}

const PROBE_TIMEOUT_MS = 2_000;
/** Stats beyond this are cut: the probe result travels in one NATS message. */
export const MAX_STATS_BYTES = 256 * 1024;

/** Reads `/ready` and `/stats/prometheus` with fetch. */
export class HttpAdminClient implements AdminClient {
  constructor(private readonly host = '127.0.0.1') {}

  async probe(adminPort: number, withStats: boolean): Promise<ProbeResult> {
    const base = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${adminPort}`;
    let readyStatus: number;
    try {
      const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.arrayBuffer();
      readyStatus = response.status;
    } catch (error) {
      return { ready: false, readyStatus: null, error: describe(error), stats: null, statsTruncated: false };
    }
    const result = { ready: readyStatus === 200, readyStatus, error: null };
    if (!withStats) return { ...result, stats: null, statsTruncated: false };
    try {
      const response = await fetch(`${base}/stats/prometheus`, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok)
        return {
          ...result,
          error: `/stats/prometheus answered ${response.status}`,
          stats: null,
          statsTruncated: false,
        };
      const bytes = Buffer.from(text, 'utf8');
      const truncated = bytes.length > MAX_STATS_BYTES;
      return {
        ...result,
        stats: truncated ? bytes.subarray(0, MAX_STATS_BYTES).toString('utf8') : text,
        statsTruncated: truncated,
      };
    } catch (error) {
      return {
        ...result,
        error: `/stats/prometheus: ${describe(error)}`,
        stats: null,
        statsTruncated: false,
      };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
