import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '../../http/problem-details';

const PROBLEM_TYPE_BASE = 'https://envoy-fleet.dev/problems/';

/** Why a proxy's agent could not answer, as the diagnostics routes report it. */
export const AGENT_PROBLEMS = {
  'proxy-not-placed': { status: 503, title: 'The proxy is not placed on a node' },
  'agent-unavailable': { status: 503, title: "The proxy's node agent is not connected" },
  'agent-docker-unavailable': { status: 503, title: 'The node agent cannot reach its Docker engine' },
  'agent-command-failed': { status: 502, title: 'The node agent could not carry out the request' },
  'proxy-admin-unreachable': { status: 503, title: "The proxy's admin interface did not answer" },
  'agent-timeout': { status: 504, title: "The proxy's node agent did not answer in time" },
} as const;
export type AgentProblemKind = keyof typeof AGENT_PROBLEMS;

/** A failure to reach a proxy's container through its node agent (5xx, unlike domain errors). */
export class AgentProblem extends Error {
  override readonly name = 'AgentProblem';

  constructor(
    readonly kind: AgentProblemKind,
    message: string,
    readonly details: Readonly<Record<string, string | number | null>> = {},
  ) {
    super(message);
  }

  problem(instance: string): ProblemDetails {
    const { status, title } = AGENT_PROBLEMS[this.kind];
    return {
      type: `${PROBLEM_TYPE_BASE}${this.kind}`,
      title,
      status,
      detail: this.message,
      instance,
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
    };
  }
}

/** Answers an {@link AgentProblem} as problem+json with its own type (the global filter makes 5xx a 500). */
@Catch(AgentProblem)
export class AgentProblemFilter implements ExceptionFilter<AgentProblem> {
  catch(exception: AgentProblem, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const problem = exception.problem(request.url.split('?')[0] ?? request.url);
    void http
      .getResponse<FastifyReply>()
      .status(problem.status)
      .header('Content-Type', PROBLEM_CONTENT_TYPE)
      .send(problem);
  }
}
