import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { canonicalJson, DomainError } from '@envoy-fleet/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { DryRunRollback } from '../database/request-scope';
import { UnitOfWork } from '../database/unit-of-work.service';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADERS = ['etag', 'location', 'content-type'] as const;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface StoredResponse {
  request_hash: string;
  response_status: number;
  response_headers: Record<string, string>;
  response_body: unknown;
}

/**
 * Wraps writes that need a transaction around the whole request. `?dryRun=true`: the handler runs
 * for real, then everything it wrote is rolled back and its result returned (200, `Dry-Run: true`).
 * `Idempotency-Key` on a POST: the key is claimed in the handler's own transaction, so the change
 * and the response recorded for retries commit together or not at all; a concurrent retry waits
 * on the key's unique index and then replays the first response (24 hours).
 */
@Injectable()
export class WriteRequestInterceptor implements NestInterceptor {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const principal = request.principal;
    if (principal === undefined || !WRITE_METHODS.has(request.method)) return next.handle();
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (query['dryRun'] === 'true') return from(this.dryRun(principal, reply, next));
    const key: unknown = request.headers['idempotency-key'];
    if (request.method === 'POST' && typeof key === 'string') {
      return from(this.idempotent(principal, key, request, reply, next));
    }
    return next.handle();
  }

  private async dryRun(principal: Principal, reply: FastifyReply, next: CallHandler): Promise<unknown> {
    try {
      await this.unitOfWork.inRequestTransaction(
        principal,
        async () => {
          throw new DryRunRollback(await lastValueFrom(next.handle(), { defaultValue: undefined }));
        },
        { dryRun: true },
      );
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      void reply.status(200).header('Dry-Run', 'true');
      return error.result;
    }
    throw new Error('unreachable: a dry run always rolls back');
  }

  private idempotent(
    principal: Principal,
    key: string,
    request: FastifyRequest,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new DomainError('INVALID_REQUEST', 'Idempotency-Key must be 1-255 visible ASCII characters', {
        issues: [{ path: 'headers.idempotency-key', message: 'must be 1-255 visible ASCII characters' }],
      });
    }
    const requestHash = createHash('sha256')
      .update(canonicalJson({ method: request.method, url: request.url, body: request.body ?? null }))
      .digest('hex');
    return this.unitOfWork.inRequestTransaction(principal, async (manager) => {
      const claimed = await this.claim(manager, principal, key, requestHash);
      if (!claimed) return this.replay(manager, principal, key, requestHash, reply);
      const result: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const headers = Object.fromEntries(
        REPLAYED_HEADERS.flatMap((name) => {
          const value = reply.getHeader(name);
          return value === undefined ? [] : [[name, String(value)]];
        }),
      );
      await manager.query(
        `UPDATE idempotency_keys SET response_status = $4, response_headers = $5, response_body = $6
         WHERE tenant_id = $1 AND principal = $2 AND key = $3`,
        [principal.tenantId, principal.actor, key, reply.statusCode, headers, JSON.stringify(result ?? null)],
      );
      return result;
    });
  }

  /** True when this request owns the key; waits while a concurrent request with the key is running. */
  private async claim(
    manager: EntityManager,
    principal: Principal,
    key: string,
    requestHash: string,
  ): Promise<boolean> {
    await manager.query(
      'DELETE FROM idempotency_keys WHERE tenant_id = $1 AND principal = $2 AND key = $3 AND expires_at <= now()',
      [principal.tenantId, principal.actor, key],
    );
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, response_status, expires_at)
       VALUES ($1, $2, $3, $4, 102, now() + interval '24 hours')
       ON CONFLICT (tenant_id, principal, key) DO NOTHING RETURNING id`,
      [principal.tenantId, principal.actor, key, requestHash],
    );
    return inserted.length === 1;
  }

  private async replay(
    manager: EntityManager,
    principal: Principal,
    key: string,
    requestHash: string,
    reply: FastifyReply,
  ): Promise<unknown> {
    const rows: StoredResponse[] = await manager.query(
      `SELECT request_hash, response_status, response_headers, response_body FROM idempotency_keys
       WHERE tenant_id = $1 AND principal = $2 AND key = $3`,
      [principal.tenantId, principal.actor, key],
    );
    const stored = rows[0];
    if (stored === undefined) throw new Error(`idempotency key ${key} vanished while it was being read`);
    if (stored.request_hash !== requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key ${key} was first used for a different request (method, path or body); use a new key for a new request`,
      );
    }
    void reply
      .status(stored.response_status)
      .headers({ ...stored.response_headers, 'Idempotent-Replayed': 'true' });
    return stored.response_body;
  }
}
