import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseRequest } from '../../http/zod-request';
import { type EventStreamQuery, eventStreamQuerySchema } from './event.dto';

declare module 'fastify' {
  interface FastifyRequest {
    eventStreamQuery?: EventStreamQuery;
  }
}

/**
 * Validates the event stream's query before the response starts: Nest opens an SSE response (200)
 * before it runs the pipes, so a pipe's 400 would arrive as an `error` event inside a 200 stream.
 * The parsed query is kept on the request for `@EventStreamQueryOf()`.
 */
@Injectable()
export class EventStreamQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.eventStreamQuery = parseRequest(eventStreamQuerySchema, request.query, 'query');
    return true;
  }
}

/** The query `EventStreamQueryGuard` parsed. */
export const EventStreamQueryOf = createParamDecorator(
  (_data: unknown, context: ExecutionContext): EventStreamQuery => {
    const query = context.switchToHttp().getRequest<FastifyRequest>().eventStreamQuery;
    if (query === undefined) throw new Error('EventStreamQueryGuard did not run before the handler');
    return query;
  },
);
