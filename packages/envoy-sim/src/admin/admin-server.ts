import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type JsonObject } from '@bufbuild/protobuf';
import { type ServerState } from '../config/config-store';
import { type RejectPolicy } from '../config/reject-policy';
import { parseXdsType, XDS_TYPES } from '../xds/xds-types';
import {
  renderStatsJson,
  renderStatsPrometheus,
  renderStatsText,
  type SimStats,
  type StatsQuery,
} from '../stats/sim-stats';
import { type ConfigDumpQuery } from './config-dump';

/** What the admin endpoint reads from a simulated Envoy. */
export interface AdminTarget {
  serverState(): ServerState;
  readonly stats: SimStats;
  configDump(query: ConfigDumpQuery): JsonObject;
  serverInfo(): JsonObject;
  /** `/quitquitquit`: the process (or the fleet member) shuts down. */
  quit(): void;
  /** `/envoy-sim/reject`: change what this Envoy refuses, e.g. to fail a rollout wave on purpose. */
  setRejectPolicy(policy: RejectPolicy): void;
}

const HELP = [
  'admin commands are:',
  '  /: this list',
  '  /config_dump: dump current Envoy configs (?include_eds, ?resource=, ?name_regex=)',
  '  /help: this list',
  '  /quitquitquit (POST): exit the server',
  '  /ready: print server state, return 200 if LIVE, otherwise return 503',
  '  /server_info: print server version/status information',
  '  /stats: print server stats (?format=json|prometheus, ?filter=, ?usedonly)',
  '  /stats/prometheus: print server stats in prometheus format',
  '  /envoy-sim/reject (POST): what to NACK from now on (?all=lds,cds|all, ?name=regex, ?extension=a,b); none = accept all',
  '',
].join('\n');

function send(
  response: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=UTF-8',
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-cache, max-age=0',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

function regexParam(params: URLSearchParams, name: string): RegExp | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : new RegExp(value);
}

function list(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

/** The policy `/envoy-sim/reject` sets, from its query string. */
export function rejectPolicyFromQuery(params: URLSearchParams): RejectPolicy {
  const all = list(params, 'all');
  return {
    missingExtensions: list(params, 'extension'),
    rejectAllOf: all.includes('all') ? [...XDS_TYPES] : all.map(parseXdsType),
    rejectNames: regexParam(params, 'name'),
  };
}

function statsQuery(params: URLSearchParams): StatsQuery {
  return { filter: regexParam(params, 'filter'), usedOnly: params.has('usedonly') };
}

/**
 * An HTTP admin endpoint with the paths and answers of Envoy's admin interface that a control plane and
 * a node agent use. Mutations (`/quitquitquit`) need POST, as in Envoy.
 */
export class AdminServer {
  private server?: Server;

  constructor(private readonly target: AdminTarget) {}

  async listen(port: number, address: string): Promise<AddressInfo> {
    const server = createServer((request, response) => this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`admin endpoint cannot listen on ${address}:${port}: ${error.message}`)),
      );
      server.listen(port, address, resolve);
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://admin');
    const params = url.searchParams;
    try {
      switch (url.pathname) {
        case '/':
        case '/help':
          return send(response, 200, HELP);
        case '/ready': {
          const state = this.target.serverState();
          return send(response, state === 'LIVE' ? 200 : 503, `${state}\n`);
        }
        case '/server_info':
          return send(response, 200, JSON.stringify(this.target.serverInfo(), null, 2), 'application/json');
        case '/config_dump': {
          const query: ConfigDumpQuery = {
            includeEds: params.has('include_eds'),
            resource: params.get('resource') ?? undefined,
            nameRegex: regexParam(params, 'name_regex'),
          };
          return send(
            response,
            200,
            JSON.stringify(this.target.configDump(query), null, 2),
            'application/json',
          );
        }
        case '/stats': {
          const format = params.get('format');
          if (format === 'json')
            return send(
              response,
              200,
              renderStatsJson(this.target.stats, statsQuery(params)),
              'application/json',
            );
          if (format === 'prometheus')
            return send(response, 200, renderStatsPrometheus(this.target.stats, statsQuery(params)));
          return send(response, 200, renderStatsText(this.target.stats, statsQuery(params)));
        }
        case '/stats/prometheus':
          return send(response, 200, renderStatsPrometheus(this.target.stats, statsQuery(params)));
        case '/quitquitquit':
          if (request.method !== 'POST')
            return send(response, 400, `Method ${request.method ?? 'GET'} not allowed, POST required.\n`);
          send(response, 200, 'OK\n');
          return this.target.quit();
        case '/envoy-sim/reject':
          if (request.method !== 'POST')
            return send(response, 400, `Method ${request.method ?? 'GET'} not allowed, POST required.\n`);
          this.target.setRejectPolicy(rejectPolicyFromQuery(params));
          return send(response, 200, 'OK\n');
        default:
          return send(response, 404, `invalid path. ${HELP}`);
      }
    } catch (error) {
      send(response, 400, `${(error as Error).message}\n`);
    }
  }
}
