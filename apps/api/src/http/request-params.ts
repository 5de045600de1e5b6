import { createParamDecorator, type ExecutionContext, Param, Query } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { expectedVersionOf } from './etag';
import { uuidParam, writeQuerySchema } from './request-schemas';
import { ZodPipe } from './zod-request';

/** The `:id` path parameter, a UUID (400 otherwise). */
export const IdParam = (): ParameterDecorator => Param('id', new ZodPipe(uuidParam, 'params'));

/** Validates a write's query string (only `dryRun`, which the write interceptor acts on). */
export const WriteQuery = (): ParameterDecorator => Query(new ZodPipe(writeQuerySchema, 'query'));

/** The version named by `If-Match`: 428 when absent, 412 when it names no version. */
export const ExpectedVersion = createParamDecorator((_data: unknown, context: ExecutionContext): number => {
  const header = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  return expectedVersionOf(Array.isArray(header) ? header.join(', ') : header);
});
