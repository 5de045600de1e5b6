import { pipeline } from 'node:stream/promises';
import { applyDecorators, Controller, Get, Param, Query, Res, UseFilters } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ZodPipe } from '../../http/zod-request';
import { ApiProblems, ApiSecured, PROBLEM_SCHEMA_NAME } from '../../openapi/api-docs.decorators';
import { nodeIdParam } from '../proxies/proxy.dto';
import { AGENT_PROBLEMS, AgentProblemFilter } from './agent-problem';
import {
  type LogsQuery,
  logsQuerySchema,
  type MetricsQuery,
  metricsQuerySchema,
} from './proxy-diagnostics.dto';
import {
  AGENT_ANSWER_TIMEOUT_MS,
  FOLLOW_SECONDS,
  ProxyDiagnosticsService,
} from './proxy-diagnostics.service';

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const NodeIdParam = (): ParameterDecorator => Param('nodeId', new ZodPipe(nodeIdParam, 'params'));

/** The 502, 503 and 504 problems of reaching a proxy through its node agent, documented by type. */
function ApiAgentProblems(): MethodDecorator {
  const byStatus = new Map<number, string[]>();
  for (const [kind, { status, title }] of Object.entries(AGENT_PROBLEMS)) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), `${kind}: ${title.toLowerCase()}`]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, kinds]) =>
      ApiResponse({
        status,
        description: `type https://envoy-fleet.dev/problems/<kind>, one of ${kinds.join('; ')}`,
        content: {
          'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } },
        },
      }),
    ),
  );
}

/**
 * A proxy's container logs and Envoy stats, read on demand through its node agent (which has no
 * inbound port): the api sends the agent a command over NATS and relays its answer.
 */
@ApiTags('proxies')
@ApiSecured()
@UseFilters(AgentProblemFilter)
@Controller('api/v1/proxies')
export class ProxyDiagnosticsController {
  constructor(private readonly diagnostics: ProxyDiagnosticsService) {}

  @Get(':nodeId/logs')
  @Requires('viewer')
  @ApiProduces('text/plain')
  @ApiQuery({
    name: 'follow',
    required: false,
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
    description: `true: keep the response open and send new lines as they are written, until the client disconnects, the container stops or ${FOLLOW_SECONDS / 60} minutes pass`,
  })
  @ApiQuery({
    name: 'tail',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: 10_000, default: 100 },
    description: 'how many of the last lines to send first',
  })
  @ApiQuery({
    name: 'since',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'only lines written since this instant',
  })
  @ApiResponse({
    status: 200,
    description: `the container's stdout and stderr, one line each (chunked); the agent must answer within ${AGENT_ANSWER_TIMEOUT_MS / 1000} s`,
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiProblems(400, 404, 409)
  @ApiAgentProblems()
  async logs(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
    @Query(new ZodPipe(logsQuerySchema, 'query')) query: LogsQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const left = new AbortController();
    reply.raw.once('close', () => left.abort());
    const stream = await this.diagnostics.logs(principal, nodeId, query);
    // A client that left while the agent opened the stream: end it at once.
    if (left.signal.aborted) return stream.close();
    left.signal.addEventListener('abort', () => stream.close());
    // Written past Fastify so that the headers go out at once: a follower learns the stream is open
    // before the first new line.
    reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value);
    }
    reply.raw.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    reply.raw.flushHeaders();
    await pipeline(stream.body, reply.raw).catch(() => stream.close());
  }

  @Get(':nodeId/metrics')
  @Requires('viewer')
  @ApiProduces('text/plain')
  @ApiQuery({
    name: 'filter',
    required: false,
    type: String,
    description: 'a regular expression: only the metrics whose name matches it',
  })
  @ApiResponse({
    status: 200,
    description: `the proxy's Envoy stats (admin /stats/prometheus, at most 256 KiB: X-Stats-Truncated: true when cut), read by its agent`,
    content: { [PROMETHEUS_TEXT]: { schema: { type: 'string' } } },
  })
  @ApiProblems(400, 404, 409)
  @ApiAgentProblems()
  async metrics(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
    @Query(new ZodPipe(metricsQuerySchema, 'query')) query: MetricsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const stats = await this.diagnostics.metrics(principal, nodeId, query.filter);
    void reply.header('Content-Type', PROMETHEUS_TEXT).header('Cache-Control', 'no-store');
    if (stats.truncated) void reply.header('X-Stats-Truncated', 'true');
    return stats.text;
  }
}
