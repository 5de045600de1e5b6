import { ApiKeyEntity } from './entities/api-key.entity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { ConfigBindingEntity } from './entities/config-binding.entity';
import { ConfigHistoryEntity } from './entities/config-history.entity';
import { ConfigTemplateEntity } from './entities/config-template.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { ConfigVersionEntity } from './entities/config-version.entity';
import { ConfigEntity } from './entities/config.entity';
import { NodeEntity } from './entities/node.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { ProxyGroupEntity } from './entities/proxy-group.entity';
import { ProxyEntity } from './entities/proxy.entity';
import { RoleBindingEntity } from './entities/role-binding.entity';
import { RolloutEntity } from './entities/rollout.entity';
import { TenantEntity } from './entities/tenant.entity';
import { UserEntity } from './entities/user.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity';
import {
  ClusterEntity,
  EndpointEntity,
  ListenerEntity,
  RouteConfigEntity,
  SecretEntity,
} from './entities/xds-resource.entity';

/** Every table of the data model, in the order of ARCHITECTURE section 2. */
export const ENTITIES = [
  TenantEntity,
  UserEntity,
  ApiKeyEntity,
  RoleBindingEntity,
  NodeEntity,
  ProxyGroupEntity,
  ProxyEntity,
  ListenerEntity,
  RouteConfigEntity,
  ClusterEntity,
  EndpointEntity,
  SecretEntity,
  ConfigEntity,
  ConfigVersionEntity,
  ConfigBindingEntity,
  ConfigTemplateEntity,
  ConfigHistoryEntity,
  RolloutEntity,
  WebhookSubscriptionEntity,
  WebhookDeliveryEntity,
  AuditLogEntity,
  OutboxEntity,
  IdempotencyKeyEntity,
];
