import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { correlationIdFrom } from '../logging/correlation-id';
import { runWithCorrelationId } from '../logging/request-context';
import type { ServiceTelemetry } from '../service-telemetry';
import { isProbePath } from './probe-paths';

/** Label for requests that matched no route, so that scanners cannot create a series per URL. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Gives every request a correlation id (held for the request's whole async flow and echoed as
 * `x-request-id`), counts and times it by route, and logs it when answered: at info, or at debug for the
 * probe endpoints. Call it before the app registers its routes (before `listen`/`init`).
 */
export function instrumentFastify(fastify: FastifyInstance, telemetry: ServiceTelemetry): void {
  const scopes = new WeakMap<FastifyRequest, AsyncResource>();

  fastify.addHook('onRequest', (request, reply, done) => {
    const correlationId = correlationIdFrom(request.headers);
    void reply.header('x-request-id', correlationId);
    runWithCorrelationId(correlationId, () => {
      const scope = new AsyncResource('envoy-fleet.http-request');
      scopes.set(request, scope);
      scope.runInAsyncScope(done);
    });
  });

  // A request body is read on the socket's async context, which lost ours; re-enter it before the handler.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope === undefined) done();
    else scope.runInAsyncScope(done);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const labels = { route, method: request.method, status: String(reply.statusCode) };
    telemetry.metrics.httpRequestsTotal.inc(labels);
    telemetry.metrics.httpRequestDurationSeconds.observe(labels, reply.elapsedTime / 1000);
    const logCompletion = (): void => {
      const fields = {
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      };
      if (isProbePath(request.url)) telemetry.logger.debug(fields, 'request completed');
      else telemetry.logger.info(fields, 'request completed');
    };
    const scope = scopes.get(request);
    if (scope === undefined) logCompletion();
    else scope.runInAsyncScope(logCompletion);
    done();
  });
}
