import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { etagOf } from './etag';

/** Every single-resource representation carries its version; it becomes the response's ETag. */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        const { id, version } = (typeof body === 'object' && body !== null ? body : {}) as {
          id?: unknown;
          version?: unknown;
        };
        if (typeof id === 'string' && typeof version === 'number') void reply.header('ETag', etagOf(version));
        return body;
      }),
    );
  }
}
