export {
  DURABLE_EVENT_SUBJECT_PREFIX,
  EVENT_CATALOGUE,
  PROXY_REPORT_TYPES,
  createEvent,
  eventDefinition,
  isEventType,
  proxyReportsOf,
  type BatchedProxyReport,
  type DomainEvent,
  type EventDefinition,
  type EventDelivery,
  type EventPayloads,
  type EventType,
  type ServedSnapshotView,
  type ProxyReportEvent,
  type ProxyReportType,
} from './events';

export {
  AGENT_COMMAND_KINDS,
  AGENT_ERROR_CODES,
  AGENT_LABEL_PREFIX,
  CONTAINER_CHANGES,
  CONTAINER_RESTART_POLICIES,
  CONTAINER_STATES,
  DEFAULT_STOP_GRACE_SECONDS,
  agentCommandPayloadSchemas,
  containerResourcesSchema,
  isAgentCommandKind,
  parseAgentCommand,
  proxyContainerSpecSchema,
  xdsTargetSchema,
  type AgentCommandKind,
  type AgentCommandParse,
  type AgentCommandPayloadInputs,
  type AgentCommandPayloads,
  type AgentCommandResult,
  type AgentErrorCode,
  type ContainerChange,
  type ContainerHealth,
  type ContainerReport,
  type ContainerResources,
  type ContainerRestartPolicy,
  type ContainerState,
  type ContainerStateChange,
  type ContainerUsage,
  type LogChunk,
  type NodeHeartbeat,
  type NodeRegistration,
  type ParsedAgentCommand,
  type ProbeResult,
  type ProxyContainerSpec,
  type ProxyContainerSpecInput,
  type ReconcileReport,
  type XdsTarget,
} from './agent-commands';

export {
  DOMAIN_ERROR_CODES,
  DomainError,
  isDomainError,
  isDomainErrorCode,
  type DomainErrorCode,
  type DomainErrorDetails,
  type DomainErrorOptions,
  type ValidationIssue,
} from './errors/domain.error';

export { isJsonObject, type JsonObject, type JsonValue } from './values/json.value';
export { openSealedJson, sealJson } from './values/sealed-json.value';
export { applyMergePatch } from './values/json-merge-patch.value';
export {
  compileConfigTemplate,
  type CompiledConfigTemplate,
  type ConfigTemplateRendering,
  type ConfigTemplateSource,
} from './values/config-template.value';
export {
  LABEL_SELECTOR_OPERATORS,
  isEmptyLabelSelector,
  labelKeyProblem,
  labelValueProblem,
  matchesLabelSelector,
  validateLabelSelector,
  validateLabels,
  type LabelSelector,
  type LabelSelectorOperator,
  type LabelSelectorRequirement,
  type Labels,
} from './values/labels.value';
export {
  DEFAULT_ADMIN_PORT_RANGE,
  DEFAULT_PROXY_PORT_RANGE,
  MAX_PORT,
  MIN_PORT,
  isValidPort,
  lowestFreePort,
  portRange,
  portRangeContains,
  portRangeSize,
  portRangesOverlap,
  validatePortRange,
  type PortRange,
} from './values/port-range.value';
export {
  MAX_RESOURCE_NAME_LENGTH,
  canonicalJson,
  configDocumentHashInput,
  emptyConfigDocument,
  validateConfigDocument,
  type ConfigDocument,
  type ConfigDocumentResource,
} from './values/config-document.value';

export {
  DEFAULT_TENANT_QUOTAS,
  TENANT_NAME_PATTERN,
  TENANT_STATUSES,
  type Tenant,
  type TenantQuotas,
  type TenantStatus,
} from './entities/tenant.entity';
export { USER_STATUSES, type User, type UserStatus } from './entities/user.entity';
export { isApiKeyUsable, type ApiKey } from './entities/api-key.entity';
export {
  ROLES,
  roleSatisfies,
  type Role,
  type RoleBinding,
  type RoleSubject,
} from './entities/role-binding.entity';
export {
  NODE_STATUSES,
  isSchedulable,
  type Node,
  type NodeCapacity,
  type NodeStatus,
} from './entities/node.entity';
export {
  PROXY_GROUP_NAME_PATTERN,
  groupAncestors,
  wouldCreateGroupCycle,
  type ProxyGroup,
} from './entities/proxy-group.entity';
export {
  INITIAL_XDS_STATUS,
  PROXY_DESIRED_STATES,
  PROXY_HEALTHS,
  PROXY_STATUSES,
  proxyContainerName,
  proxyNeedsReconcile,
  type Proxy,
  type ProxyDesiredState,
  type ProxyHealth,
  type ProxyResourceLimits,
  type ProxyStatus,
} from './entities/proxy.entity';
export {
  XDS_RESOURCE_TYPES,
  XDS_SYNC_STATUSES,
  isXdsResourceType,
  type XdsResource,
  type XdsResourceType,
  type XdsSyncStatus,
} from './entities/xds-resource.entity';
export { CONTENT_HASH_PATTERN, type Config, type ConfigVersion } from './entities/config.entity';
export {
  CONFIG_BINDING_MODES,
  chooseBinding,
  type BindingCandidate,
  type ConfigBinding,
  type ConfigBindingAssignment,
  type ConfigBindingMode,
  type ConfigBindingTarget,
  type ConfigOverride,
  type ProxyPlacement,
} from './entities/config-binding.entity';
export { type ConfigTemplate } from './entities/config-template.entity';
export {
  CONFIG_DELIVERY_STATUSES,
  type ConfigDeliveryStatus,
  type ConfigHistoryEntry,
  type XdsErrorDetail,
} from './entities/config-history.entity';
export {
  ACTIVE_ROLLOUT_STATES,
  DEFAULT_ROLLOUT_GATES,
  ROLLOUT_STATES,
  ROLLOUT_STRATEGIES,
  assertRolloutTransition,
  canTransitionRollout,
  validateRolloutPlan,
  type Rollout,
  type RolloutGates,
  type RolloutState,
  type RolloutStrategy,
  type RolloutWave,
} from './entities/rollout.entity';
export {
  applyRolloutStep,
  nextRolloutStep,
  planWaves,
  reachedProxyIds,
  ROLLOUT_COMMANDS,
  stepOfCommand,
  type ProxyProgress,
  type RolloutChange,
  type RolloutCommand,
  type RolloutProgress,
  type RolloutStep,
} from './entities/rollout-progress';
export {
  WEBHOOK_DELIVERY_STATUSES,
  subscriptionWants,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookSubscription,
} from './entities/webhook.entity';
export {
  AUDIT_ACTIONS,
  formatActor,
  type Actor,
  type AuditAction,
  type AuditLogEntry,
} from './entities/audit-log.entity';
