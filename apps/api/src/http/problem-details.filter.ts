import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { DomainError, isDomainError } from '@envoy-fleet/domain';
import { translateDatabaseError } from '@envoy-fleet/db';
import type { Logger } from '@envoy-fleet/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_LOGGER } from '../api.tokens';
import {
  plainHttpProblem,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  problemFromDomainError,
} from './problem-details';

/**
 * The one place errors become responses: domain errors through their code's mapping, HTTP-level
 * refusals as `about:blank` problems (413 excepted), and anything else as a 500 whose error id is logged with the
 * cause and returned to the client (never the cause itself).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(API_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.problemOf(translateDatabaseError(exception), request);
    if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="envoy-fleet"');
    const retryAfter = problem.details?.['retryAfterSeconds'];
    if (problem.status === 429 && typeof retryAfter === 'number')
      reply.header('Retry-After', String(retryAfter));
    void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  private problemOf(error: unknown, request: FastifyRequest): ProblemDetails {
    const instance = request.url.split('?')[0] ?? request.url;
    if (isDomainError(error)) return problemFromDomainError(error, instance);
    if (error instanceof HttpException && error.getStatus() < 500) return httpProblem(error, instance);
    const errorId = randomUUID();
    this.logger.error({ err: error, errorId, method: request.method, url: request.url }, 'request failed');
    return {
      ...plainHttpProblem(
        500,
        'Internal Server Error',
        `unexpected error; quote error id ${errorId}`,
        instance,
      ),
      errorId,
    };
  }
}

/**
 * Refusals by Nest or Fastify before a handler runs (an unknown route, a media type without parser,
 * a body over the limit), which Nest hands over as HttpExceptions.
 */
function httpProblem(error: HttpException, instance: string): ProblemDetails {
  const status = error.getStatus();
  if (status === 413) {
    return problemFromDomainError(
      new DomainError('PAYLOAD_TOO_LARGE', `the request body exceeds the limit: ${error.message}`),
      instance,
    );
  }
  return plainHttpProblem(status, STATUS_CODES[status] ?? 'Error', error.message, instance);
}
