import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseRequest } from '../../http/zod-request';
import { eventStreamQuerySchema } from './event.dto';

/**
 * Validates the event stream's query before the response starts: Nest opens an SSE response (200)
 * before it runs the pipes, so a pipe's 400 would arrive as an `error` event inside a 200 stream.
 */
@Injectable()
export class EventStreamQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    parseRequest(eventStreamQuerySchema, context.switchToHttp().getRequest<FastifyRequest>().query, 'query');
    return true;
  }
}
