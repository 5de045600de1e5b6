import { type MigrationInterface } from 'typeorm';
import { type DatabaseRoles } from './database-roles';
import { DataModel1795564800000 } from './migrations/1795564800000-data-model.migration';
import { tenantIsolationMigration } from './migrations/1795564860000-tenant-isolation.migration';
import { AuditLog1795564920000 } from './migrations/1795564920000-audit-log.migration';
import { idempotencyKeysMigration } from './migrations/1795565000000-idempotency-keys.migration';
import { ProxyDeliveryStatus1795565100000 } from './migrations/1795565100000-proxy-delivery-status.migration';
import { FleetScheduling1795565300000 } from './migrations/1795565300000-fleet-scheduling.migration';
import { RollingImageUpdate1795565300001 } from './migrations/1795565300001-rolling-image-update.migration';
import { ProxyConfigRejection1795565400000 } from './migrations/1795565400000-proxy-config-rejection.migration';
import { RolloutProgress1795565600000 } from './migrations/1795565600000-rollout-progress.migration';
import { ProxyDrift1795565700000 } from './migrations/1795565700000-proxy-drift.migration';
import { ProxyCommandDue1795565800000 } from './migrations/1795565800000-proxy-command-due.migration';
import { ConfigHistoryRelease1795566300000 } from './migrations/1795566300000-config-history-release.migration';
import { ProxyHealthSignals1795566300001 } from './migrations/1795566300001-proxy-health-signals.migration';
import { ObservedStateKeepsVersion1795566400000 } from './migrations/1795566400000-observed-state-keeps-version.migration';
import { WebhookDeliveryQueue1795566600000 } from './migrations/1795566600000-webhook-delivery-queue.migration';
import { WebhookDuePerSubscription1795566600001 } from './migrations/1795566600001-webhook-due-per-subscription.migration';

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export function databaseMigrations(roles: DatabaseRoles): (new () => MigrationInterface)[] {
  return [
    DataModel1795564800000,
    tenantIsolationMigration(roles),
    AuditLog1795564920000,
    idempotencyKeysMigration(roles),
    ProxyDeliveryStatus1795565100000,
    FleetScheduling1795565300000,
    RollingImageUpdate1795565300001,
    ProxyConfigRejection1795565400000,
    RolloutProgress1795565600000,
    ProxyDrift1795565700000,
    ProxyCommandDue1795565800000,
    ConfigHistoryRelease1795566300000,
    ProxyHealthSignals1795566300001,
    ObservedStateKeepsVersion1795566400000,
    WebhookDeliveryQueue1795566600000,
    WebhookDuePerSubscription1795566600001,
  ];
}
