import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { type StoredJson } from './json-column';
import { TenantOwnedEntity } from './tenant-owned.entity';

/**
 * The first response to a POST sent with an `Idempotency-Key`, replayed to retries of the same request
 * until `expiresAt`. Keys are scoped to the credential that sent them (`principal`), and the request
 * they were first used with is fingerprinted (`requestHash`) so a key reused for another request is refused.
 */
@Entity({ name: 'idempotency_keys' })
@Unique(['tenantId', 'principal', 'key'])
@Index(['expiresAt'])
@Check('ck_idempotency_keys_key', `char_length(key) BETWEEN 1 AND 255`)
@Check('ck_idempotency_keys_request_hash', `request_hash ~ '^[0-9a-f]{64}$'`)
@Check('ck_idempotency_keys_response_status', `response_status BETWEEN 100 AND 599`)
@Check('ck_idempotency_keys_response_headers', `jsonb_typeof(response_headers) = 'object'`)
export class IdempotencyKeyEntity extends TenantOwnedEntity {
  @Column({ type: 'text' })
  principal!: string;

  @Column({ type: 'text' })
  key!: string;

  /** Lowercase hex SHA-256 of the method, path and canonical body of the first request. */
  @Column({ type: 'text' })
  requestHash!: string;

  @Column({ type: 'integer' })
  responseStatus!: number;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  responseHeaders!: Record<string, string>;

  @Column({ type: 'jsonb', nullable: true })
  responseBody!: StoredJson | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
