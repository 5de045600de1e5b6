import { type JsonObject } from '../values/json.value';

export const AUDIT_ACTIONS = ['insert', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Written by database triggers on every change of a tenant-owned row [DB-004]; never updated. */
export interface AuditLogEntry {
  readonly id: string;
  readonly tenantId: string | null;
  readonly tableName: string;
  readonly rowId: string;
  readonly action: AuditAction;
  /** Who made the change (`user:<id>`, `api_key:<id>`, `system:<component>`). */
  readonly actor: string;
  /** The row before and after the change; secret material is masked. */
  readonly before: JsonObject | null;
  readonly after: JsonObject | null;
  readonly createdAt: Date;
}

/** Who acts in a transaction; stored in `app.actor` and copied into every audit row it causes. */
export type Actor =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'api_key'; readonly apiKeyId: string }
  | { readonly kind: 'system'; readonly component: string };

export function formatActor(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.userId}`;
    case 'api_key':
      return `api_key:${actor.apiKeyId}`;
    case 'system':
      return `system:${actor.component}`;
  }
}
