import { type Command, InvalidArgumentError, Option } from 'commander';
import { ApiClient, ApiRequestError } from '../api-client';
import type { CliContext } from '../cli-context';

/** The API waits up to 15 s for the node agent; the CLI waits a little longer for the API. */
const AGENT_REQUEST_TIMEOUT_MS = 20_000;
const MAX_TAIL = 10_000;

function tailLines(value: string): number {
  const lines = Number(value);
  if (!/^\d+$/.test(value) || lines > MAX_TAIL) {
    throw new InvalidArgumentError(`expected a whole number from 0 to ${MAX_TAIL}`);
  }
  return lines;
}

function instant(value: string): string {
  if (Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected an ISO 8601 instant, e.g. 2026-01-31T12:00:00Z');
  }
  return new Date(value).toISOString();
}

function proxyPath(nodeId: string, leaf: 'logs' | 'metrics', query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return `/api/v1/proxies/${encodeURIComponent(nodeId)}/${leaf}${search === '' ? '' : `?${search}`}`;
}

export function registerLogsCommand(program: Command, context: CliContext): void {
  program
    .command('logs')
    .description(
      "print a proxy's container logs, read through its node agent; --follow keeps printing new lines until interrupted",
    )
    .argument('<node_id>', "the proxy's node id (Envoy's node.id)")
    .option('-f, --follow', 'keep the stream open and print new lines as they are written')
    .addOption(
      new Option('-n, --tail <lines>', 'how many of the last lines to print first')
        .argParser(tailLines)
        .default(100),
    )
    .addOption(new Option('--since <instant>', 'only lines written since then (ISO 8601)').argParser(instant))
    .action(async (nodeId: string, options: { follow?: boolean; tail: number; since?: string }) => {
      const client = new ApiClient(context.config());
      const path = proxyPath(nodeId, 'logs', {
        tail: String(options.tail),
        ...(options.follow === true ? { follow: 'true' } : {}),
        ...(options.since === undefined ? {} : { since: options.since }),
      });
      await client.stream(path, context.io.stdout, {
        accept: 'text/plain',
        timeoutMs: AGENT_REQUEST_TIMEOUT_MS,
      });
    });
}

export function registerMetricsCommand(program: Command, context: CliContext): void {
  program
    .command('metrics')
    .description("print a proxy's Envoy stats (Prometheus text), read through its node agent")
    .argument('<node_id>', "the proxy's node id (Envoy's node.id)")
    .option('--filter <regex>', 'only the metrics whose name matches this regular expression')
    .action(async (nodeId: string, options: { filter?: string }) => {
      const client = new ApiClient(context.config());
      const response = await client.get(
        proxyPath(nodeId, 'metrics', options.filter === undefined ? {} : { filter: options.filter }),
        { accept: 'text/plain', timeoutMs: AGENT_REQUEST_TIMEOUT_MS },
      );
      if (response.status !== 200 || typeof response.body !== 'string') throw ApiRequestError.of(response);
      context.io.stdout(response.body);
    });
}
