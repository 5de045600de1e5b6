export { createDataSource, MIGRATIONS_TABLE, type DataSourceSettings } from './data-source';
export { type DataSourceOwner, openDataSource, postgresReadinessCheck } from './owned-data-source';
export {
  DEFAULT_DATABASE_ROLES,
  systemDatabaseUrl,
  systemDatabaseUrlVariable,
  urlForRole,
  type DatabaseRoles,
  type RoleCredentials,
} from './database-roles';
export { migrationSettingsFromEnv, type MigrationSettings } from './migration-settings';
export {
  revertMigrations,
  runMigrations,
  type MigrationOptions,
  type MigrationResult,
} from './run-migrations';
export {
  selectAsTenant,
  withSystem,
  withTenant,
  type SystemContext,
  type TenantContext,
  type UnitOfWorkOptions,
} from './unit-of-work';
export {
  appendEvents,
  outboxRowToEvent,
  SCHEMA_VERSION_HEADER,
  type AppendEventsOptions,
} from './outbox.writer';
export { updateVersioned } from './optimistic-update';
export { translateDatabaseError } from './database-error';
export { ENTITIES } from './entities';
export { TENANT_OWNED_TABLES } from './tenant-owned-tables';
export { TenantEntity } from './entities/tenant.entity';
export { UserEntity } from './entities/user.entity';
export { ApiKeyEntity } from './entities/api-key.entity';
export { RoleBindingEntity } from './entities/role-binding.entity';
export { NodeEntity } from './entities/node.entity';
export { ProxyGroupEntity } from './entities/proxy-group.entity';
export { ProxyEntity, type ProxyDriftedType } from './entities/proxy.entity';
export {
  ClusterEntity,
  EndpointEntity,
  ListenerEntity,
  RouteConfigEntity,
  SecretEntity,
} from './entities/xds-resource.entity';
export { ConfigEntity } from './entities/config.entity';
export { ConfigVersionEntity } from './entities/config-version.entity';
export { ConfigBindingEntity } from './entities/config-binding.entity';
export { ConfigTemplateEntity } from './entities/config-template.entity';
export { ConfigHistoryEntity } from './entities/config-history.entity';
export { RolloutEntity } from './entities/rollout.entity';
export { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity';
export { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
export { AuditLogEntity } from './entities/audit-log.entity';
export { OutboxEntity } from './entities/outbox.entity';
export { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
