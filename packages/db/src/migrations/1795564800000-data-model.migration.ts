import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The tables of ARCHITECTURE section 2 with their keys, checks and indexes, plus the row triggers
 * that keep `version`/`updated_at` honest, refuse updates of immutable rows and parent loops of proxy
 * groups, and wake the outbox relay. Constraint names follow `SnakeNamingStrategy`; the
 * "entities match migrations" test proves the entities describe exactly this schema.
 */
export class DataModel1795564800000 implements MigrationInterface {
  name = 'DataModel1795564800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(FUNCTIONS);
    await queryRunner.query(IDENTITY_TABLES);
    await queryRunner.query(FLEET_TABLES);
    await queryRunner.query(CONFIG_TABLES);
    await queryRunner.query(RESOURCE_TABLES);
    await queryRunner.query(DELIVERY_TABLES);
    await queryRunner.query(LOG_TABLES);
    await queryRunner.query(TRIGGERS);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE outbox, audit_log, webhook_deliveries, webhook_subscriptions, config_history, rollouts,
        config_bindings, config_templates, listeners, route_configs, clusters, endpoints, secrets,
        config_versions, configs, proxies, proxy_groups, nodes, role_bindings, api_keys, users, tenants;
      DROP FUNCTION app_notify_outbox(), app_check_proxy_group_parent(), app_reject_change(), app_touch_row();
    `);
  }
}

const FUNCTIONS = `
CREATE FUNCTION app_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Every writer bumps the optimistic-lock version, not only those that remember to.
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE FUNCTION app_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are immutable: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation', HINT = 'create a new row instead';
END
$$;

CREATE FUNCTION app_check_proxy_group_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND EXISTS (
    WITH RECURSIVE ancestors(id, parent_id) AS (
      SELECT g.id, g.parent_id FROM proxy_groups g WHERE g.id = NEW.parent_id
      UNION
      SELECT g.id, g.parent_id FROM proxy_groups g JOIN ancestors a ON g.id = a.parent_id
    )
    SELECT 1 FROM ancestors WHERE ancestors.id = NEW.id
  ) THEN
    RAISE EXCEPTION 'proxy group % cannot have % as parent: it would become its own ancestor', NEW.id, NEW.parent_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_proxy_groups_parent';
  END IF;
  RETURN NEW;
END
$$;

CREATE FUNCTION app_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END
$$;
`;

const IDENTITY_TABLES = `
CREATE TABLE tenants (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  display_name text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  quota_max_proxies integer NOT NULL DEFAULT 1000,
  quota_max_nodes integer NOT NULL DEFAULT 100,
  quota_max_configs integer NOT NULL DEFAULT 500,
  quota_max_resources_per_config integer NOT NULL DEFAULT 2000,
  quota_api_requests_per_minute integer NOT NULL DEFAULT 6000,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_tenants PRIMARY KEY (id),
  CONSTRAINT uq_tenants_name UNIQUE (name),
  CONSTRAINT ck_tenants_name CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  CONSTRAINT ck_tenants_status CHECK (status IN ('active', 'suspended')),
  CONSTRAINT ck_tenants_quotas CHECK (quota_max_proxies >= 0 AND quota_max_nodes >= 0 AND quota_max_configs >= 0
    AND quota_max_resources_per_config >= 0 AND quota_api_requests_per_minute >= 0)
);

CREATE TABLE users (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  email text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'active',
  last_login_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_users PRIMARY KEY (id),
  CONSTRAINT uq_users_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_users_tenant_id_email UNIQUE (tenant_id, email),
  CONSTRAINT fk_users_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT ck_users_email CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  CONSTRAINT ck_users_status CHECK (status IN ('active', 'disabled'))
);

CREATE TABLE api_keys (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  created_by_user_id uuid,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_api_keys PRIMARY KEY (id),
  CONSTRAINT uq_api_keys_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_api_keys_tenant_id_name UNIQUE (tenant_id, name),
  CONSTRAINT uq_api_keys_prefix UNIQUE (prefix),
  CONSTRAINT fk_api_keys_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  -- SET NULL of the user column only: tenant_id must stay.
  CONSTRAINT fk_api_keys_tenant_id_created_by_user_id FOREIGN KEY (tenant_id, created_by_user_id)
    REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by_user_id),
  CONSTRAINT ck_api_keys_name CHECK (char_length(name) BETWEEN 1 AND 255),
  CONSTRAINT ck_api_keys_prefix CHECK (prefix ~ '^[A-Za-z0-9_-]{8,64}$'),
  CONSTRAINT ck_api_keys_key_hash CHECK (key_hash <> '')
);

CREATE TABLE role_bindings (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid,
  api_key_id uuid,
  role text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_role_bindings PRIMARY KEY (id),
  CONSTRAINT uq_role_bindings_user_id UNIQUE (user_id),
  CONSTRAINT uq_role_bindings_api_key_id UNIQUE (api_key_id),
  CONSTRAINT fk_role_bindings_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_role_bindings_tenant_id_user_id FOREIGN KEY (tenant_id, user_id)
    REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT fk_role_bindings_tenant_id_api_key_id FOREIGN KEY (tenant_id, api_key_id)
    REFERENCES api_keys (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT ck_role_bindings_role CHECK (role IN ('viewer', 'operator', 'admin')),
  CONSTRAINT ck_role_bindings_subject CHECK (num_nonnulls(user_id, api_key_id) = 1)
);
CREATE INDEX ix_role_bindings_tenant_id ON role_bindings (tenant_id);
`;

const FLEET_TABLES = `
CREATE TABLE nodes (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  hostname text NOT NULL,
  addresses text[] NOT NULL DEFAULT '{}',
  region text,
  zone text,
  labels jsonb NOT NULL DEFAULT '{}',
  cpu_millicores integer NOT NULL,
  memory_mib integer NOT NULL,
  proxy_port_range_start integer NOT NULL DEFAULT 10000,
  proxy_port_range_end integer NOT NULL DEFAULT 19999,
  admin_port_range_start integer NOT NULL DEFAULT 20000,
  admin_port_range_end integer NOT NULL DEFAULT 29999,
  agent_version text,
  docker_version text,
  status text NOT NULL DEFAULT 'unknown',
  last_heartbeat_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_nodes PRIMARY KEY (id),
  CONSTRAINT uq_nodes_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_nodes_tenant_id_hostname UNIQUE (tenant_id, hostname),
  CONSTRAINT fk_nodes_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT ck_nodes_hostname CHECK (char_length(hostname) BETWEEN 1 AND 253),
  CONSTRAINT ck_nodes_status CHECK (status IN ('ready', 'not_ready', 'draining', 'unknown')),
  CONSTRAINT ck_nodes_capacity CHECK (cpu_millicores >= 0 AND memory_mib >= 0),
  CONSTRAINT ck_nodes_proxy_port_range CHECK (proxy_port_range_start BETWEEN 1 AND 65535
    AND proxy_port_range_end BETWEEN proxy_port_range_start AND 65535),
  CONSTRAINT ck_nodes_admin_port_range CHECK (admin_port_range_start BETWEEN 1 AND 65535
    AND admin_port_range_end BETWEEN admin_port_range_start AND 65535),
  CONSTRAINT ck_nodes_port_ranges_disjoint CHECK (proxy_port_range_end < admin_port_range_start
    OR admin_port_range_end < proxy_port_range_start),
  CONSTRAINT ck_nodes_labels CHECK (jsonb_typeof(labels) = 'object')
);
CREATE INDEX ix_nodes_tenant_id_status ON nodes (tenant_id, status);
CREATE INDEX ix_nodes_labels ON nodes USING gin (labels jsonb_path_ops);

CREATE TABLE proxy_groups (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  parent_id uuid,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  labels jsonb NOT NULL DEFAULT '{}',
  desired_replicas integer,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_proxy_groups PRIMARY KEY (id),
  CONSTRAINT uq_proxy_groups_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_proxy_groups_tenant_id_name UNIQUE (tenant_id, name),
  CONSTRAINT fk_proxy_groups_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_proxy_groups_tenant_id_parent_id FOREIGN KEY (tenant_id, parent_id)
    REFERENCES proxy_groups (tenant_id, id) ON DELETE RESTRICT,
  CONSTRAINT ck_proxy_groups_name CHECK (name ~ '^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$'),
  CONSTRAINT ck_proxy_groups_parent CHECK (parent_id <> id),
  CONSTRAINT ck_proxy_groups_desired_replicas CHECK (desired_replicas >= 0),
  CONSTRAINT ck_proxy_groups_labels CHECK (jsonb_typeof(labels) = 'object')
);
CREATE INDEX ix_proxy_groups_parent_id ON proxy_groups (parent_id);
CREATE INDEX ix_proxy_groups_labels ON proxy_groups USING gin (labels jsonb_path_ops);

CREATE TABLE proxies (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  node_id text NOT NULL,
  group_id uuid NOT NULL,
  vm_id uuid,
  container_id text,
  container_name text NOT NULL,
  proxy_port integer NOT NULL,
  admin_port integer NOT NULL,
  image text NOT NULL,
  desired_state text NOT NULL DEFAULT 'running',
  status text NOT NULL DEFAULT 'unknown',
  health text NOT NULL DEFAULT 'unknown',
  listener_sync_status text NOT NULL DEFAULT 'NOT_SENT',
  route_config_sync_status text NOT NULL DEFAULT 'NOT_SENT',
  cluster_sync_status text NOT NULL DEFAULT 'NOT_SENT',
  endpoint_sync_status text NOT NULL DEFAULT 'NOT_SENT',
  secret_sync_status text NOT NULL DEFAULT 'NOT_SENT',
  labels jsonb NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  cpu_millicores integer,
  memory_mib integer,
  last_seen_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_proxies PRIMARY KEY (id),
  CONSTRAINT uq_proxies_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_proxies_node_id UNIQUE (node_id),
  CONSTRAINT uq_proxies_vm_id_proxy_port UNIQUE (vm_id, proxy_port),
  CONSTRAINT uq_proxies_vm_id_admin_port UNIQUE (vm_id, admin_port),
  CONSTRAINT uq_proxies_vm_id_container_name UNIQUE (vm_id, container_name),
  CONSTRAINT uq_proxies_vm_id_container_id UNIQUE (vm_id, container_id),
  CONSTRAINT fk_proxies_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_proxies_tenant_id_group_id FOREIGN KEY (tenant_id, group_id)
    REFERENCES proxy_groups (tenant_id, id) ON DELETE RESTRICT,
  CONSTRAINT fk_proxies_tenant_id_vm_id FOREIGN KEY (tenant_id, vm_id)
    REFERENCES nodes (tenant_id, id) ON DELETE SET NULL (vm_id),
  CONSTRAINT ck_proxies_node_id CHECK (char_length(node_id) BETWEEN 1 AND 255),
  CONSTRAINT ck_proxies_container_name CHECK (container_name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$'),
  CONSTRAINT ck_proxies_ports CHECK (proxy_port BETWEEN 1 AND 65535 AND admin_port BETWEEN 1 AND 65535
    AND proxy_port <> admin_port),
  CONSTRAINT ck_proxies_image CHECK (image <> ''),
  CONSTRAINT ck_proxies_desired_state CHECK (desired_state IN ('running', 'stopped', 'removed')),
  CONSTRAINT ck_proxies_status CHECK (status IN ('created', 'starting', 'running', 'stopped', 'failed', 'unknown')),
  CONSTRAINT ck_proxies_health CHECK (health IN ('healthy', 'unhealthy', 'unknown')),
  CONSTRAINT ck_proxies_sync_status CHECK (
    listener_sync_status IN ('SYNCED', 'STALE', 'NACKED', 'NOT_SENT')
    AND route_config_sync_status IN ('SYNCED', 'STALE', 'NACKED', 'NOT_SENT')
    AND cluster_sync_status IN ('SYNCED', 'STALE', 'NACKED', 'NOT_SENT')
    AND endpoint_sync_status IN ('SYNCED', 'STALE', 'NACKED', 'NOT_SENT')
    AND secret_sync_status IN ('SYNCED', 'STALE', 'NACKED', 'NOT_SENT')),
  CONSTRAINT ck_proxies_resource_limits CHECK (cpu_millicores > 0 AND memory_mib > 0),
  CONSTRAINT ck_proxies_labels CHECK (jsonb_typeof(labels) = 'object' AND jsonb_typeof(metadata) = 'object')
);
CREATE INDEX ix_proxies_tenant_id_group_id ON proxies (tenant_id, group_id);
CREATE INDEX ix_proxies_tenant_id_status ON proxies (tenant_id, status);
CREATE INDEX ix_proxies_labels ON proxies USING gin (labels jsonb_path_ops);
`;

const CONFIG_TABLES = `
CREATE TABLE configs (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  labels jsonb NOT NULL DEFAULT '{}',
  latest_version integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_configs PRIMARY KEY (id),
  CONSTRAINT uq_configs_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_configs_tenant_id_name UNIQUE (tenant_id, name),
  CONSTRAINT fk_configs_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT ck_configs_name CHECK (name ~ '^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$'),
  CONSTRAINT ck_configs_latest_version CHECK (latest_version >= 0),
  CONSTRAINT ck_configs_labels CHECK (jsonb_typeof(labels) = 'object')
);
CREATE INDEX ix_configs_labels ON configs USING gin (labels jsonb_path_ops);

CREATE TABLE config_versions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  config_id uuid NOT NULL,
  number integer NOT NULL,
  content_hash text NOT NULL,
  document jsonb NOT NULL,
  author text NOT NULL,
  message text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_config_versions PRIMARY KEY (id),
  CONSTRAINT uq_config_versions_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_config_versions_tenant_id_config_id_id UNIQUE (tenant_id, config_id, id),
  CONSTRAINT uq_config_versions_config_id_number UNIQUE (config_id, number),
  CONSTRAINT fk_config_versions_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_config_versions_tenant_id_config_id FOREIGN KEY (tenant_id, config_id)
    REFERENCES configs (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT ck_config_versions_number CHECK (number > 0),
  CONSTRAINT ck_config_versions_content_hash CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT ck_config_versions_document CHECK (jsonb_typeof(document) = 'object'),
  CONSTRAINT ck_config_versions_author CHECK (author <> '')
);
CREATE INDEX ix_config_versions_config_id_content_hash ON config_versions (config_id, content_hash);

CREATE TABLE config_templates (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  body text NOT NULL,
  parameters_schema jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_config_templates PRIMARY KEY (id),
  CONSTRAINT uq_config_templates_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_config_templates_tenant_id_name UNIQUE (tenant_id, name),
  CONSTRAINT fk_config_templates_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT ck_config_templates_name CHECK (char_length(name) BETWEEN 1 AND 255),
  CONSTRAINT ck_config_templates_body CHECK (body <> ''),
  CONSTRAINT ck_config_templates_parameters_schema CHECK (jsonb_typeof(parameters_schema) = 'object')
);

CREATE TABLE config_bindings (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  mode text NOT NULL,
  proxy_id uuid,
  group_id uuid,
  label_selector jsonb,
  config_id uuid,
  template_id uuid,
  parameters jsonb,
  parent_proxy_id uuid,
  overrides jsonb,
  priority integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_config_bindings PRIMARY KEY (id),
  CONSTRAINT fk_config_bindings_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_config_bindings_tenant_id_proxy_id FOREIGN KEY (tenant_id, proxy_id)
    REFERENCES proxies (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT fk_config_bindings_tenant_id_group_id FOREIGN KEY (tenant_id, group_id)
    REFERENCES proxy_groups (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT fk_config_bindings_tenant_id_config_id FOREIGN KEY (tenant_id, config_id)
    REFERENCES configs (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT fk_config_bindings_tenant_id_template_id FOREIGN KEY (tenant_id, template_id)
    REFERENCES config_templates (tenant_id, id) ON DELETE RESTRICT,
  CONSTRAINT fk_config_bindings_tenant_id_parent_proxy_id FOREIGN KEY (tenant_id, parent_proxy_id)
    REFERENCES proxies (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT ck_config_bindings_mode CHECK (mode IN ('instance', 'group', 'label_selector', 'template', 'inherit')),
  CONSTRAINT ck_config_bindings_shape CHECK (CASE mode
    WHEN 'instance' THEN proxy_id IS NOT NULL AND config_id IS NOT NULL
      AND num_nonnulls(group_id, label_selector, template_id, parameters, parent_proxy_id, overrides) = 0
    WHEN 'group' THEN group_id IS NOT NULL AND config_id IS NOT NULL
      AND num_nonnulls(proxy_id, label_selector, template_id, parameters, parent_proxy_id, overrides) = 0
    WHEN 'label_selector' THEN label_selector IS NOT NULL AND config_id IS NOT NULL
      AND num_nonnulls(proxy_id, group_id, template_id, parameters, parent_proxy_id, overrides) = 0
    WHEN 'template' THEN template_id IS NOT NULL AND parameters IS NOT NULL
      AND num_nonnulls(proxy_id, group_id, label_selector) = 1 AND num_nonnulls(config_id, parent_proxy_id, overrides) = 0
    WHEN 'inherit' THEN proxy_id IS NOT NULL AND parent_proxy_id IS NOT NULL AND overrides IS NOT NULL
      AND parent_proxy_id <> proxy_id AND num_nonnulls(group_id, label_selector, config_id, template_id, parameters) = 0
    ELSE false
  END),
  CONSTRAINT ck_config_bindings_json CHECK (jsonb_typeof(label_selector) = 'object'
    AND jsonb_typeof(parameters) = 'object' AND jsonb_typeof(overrides) = 'array')
);
CREATE INDEX ix_config_bindings_proxy_id ON config_bindings (proxy_id);
CREATE INDEX ix_config_bindings_group_id ON config_bindings (group_id);
CREATE INDEX ix_config_bindings_config_id ON config_bindings (config_id);
CREATE INDEX ix_config_bindings_template_id ON config_bindings (template_id);
CREATE INDEX ix_config_bindings_parent_proxy_id ON config_bindings (parent_proxy_id);
CREATE INDEX ix_config_bindings_tenant_id_mode ON config_bindings (tenant_id, mode);
`;

const resourceTable = (table: string): string => `
CREATE TABLE ${table} (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  config_id uuid NOT NULL,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}',
  body jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_${table} PRIMARY KEY (id),
  CONSTRAINT uq_${table}_config_id_name UNIQUE (config_id, name),
  CONSTRAINT fk_${table}_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_${table}_tenant_id_config_id FOREIGN KEY (tenant_id, config_id)
    REFERENCES configs (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT ck_${table}_name CHECK (char_length(name) BETWEEN 1 AND 255),
  CONSTRAINT ck_${table}_json CHECK (jsonb_typeof(body) = 'object' AND jsonb_typeof(labels) = 'object')
);
CREATE INDEX ix_${table}_tenant_id_name ON ${table} (tenant_id, name);
`;

const RESOURCE_TABLES = ['listeners', 'route_configs', 'clusters', 'endpoints', 'secrets']
  .map(resourceTable)
  .join('');

const DELIVERY_TABLES = `
CREATE TABLE rollouts (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  config_id uuid NOT NULL,
  config_version_id uuid NOT NULL,
  strategy text NOT NULL,
  waves jsonb NOT NULL DEFAULT '[]',
  gates jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  current_wave integer NOT NULL DEFAULT 0,
  reason text,
  created_by text NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_rollouts PRIMARY KEY (id),
  CONSTRAINT uq_rollouts_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT fk_rollouts_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_rollouts_tenant_id_config_id FOREIGN KEY (tenant_id, config_id)
    REFERENCES configs (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT fk_rollouts_tenant_id_config_id_config_version_id FOREIGN KEY (tenant_id, config_id, config_version_id)
    REFERENCES config_versions (tenant_id, config_id, id) ON DELETE CASCADE,
  CONSTRAINT ck_rollouts_strategy CHECK (strategy IN ('all_at_once', 'waves')),
  CONSTRAINT ck_rollouts_state CHECK (state IN ('pending', 'running', 'paused', 'completed', 'aborted', 'rolled_back')),
  CONSTRAINT ck_rollouts_current_wave CHECK (current_wave >= 0),
  CONSTRAINT ck_rollouts_plan CHECK (jsonb_typeof(waves) = 'array' AND jsonb_typeof(gates) = 'object'
    AND (strategy = 'waves' OR waves = '[]'::jsonb)),
  CONSTRAINT ck_rollouts_created_by CHECK (created_by <> '')
);
CREATE INDEX ix_rollouts_tenant_id_state ON rollouts (tenant_id, state);
CREATE INDEX ix_rollouts_config_version_id ON rollouts (config_version_id);
CREATE UNIQUE INDEX ix_rollouts_config_id_active ON rollouts (config_id) WHERE state IN ('pending', 'running', 'paused');

CREATE TABLE config_history (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  proxy_id uuid NOT NULL,
  config_version_id uuid,
  rollout_id uuid,
  resource_type text NOT NULL,
  xds_version text NOT NULL,
  nonce text,
  status text NOT NULL DEFAULT 'sent',
  error_detail jsonb,
  sent_at timestamptz NOT NULL DEFAULT now(),
  responded_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_config_history PRIMARY KEY (id),
  CONSTRAINT fk_config_history_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_config_history_tenant_id_proxy_id FOREIGN KEY (tenant_id, proxy_id)
    REFERENCES proxies (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT fk_config_history_tenant_id_config_version_id FOREIGN KEY (tenant_id, config_version_id)
    REFERENCES config_versions (tenant_id, id) ON DELETE SET NULL (config_version_id),
  CONSTRAINT fk_config_history_tenant_id_rollout_id FOREIGN KEY (tenant_id, rollout_id)
    REFERENCES rollouts (tenant_id, id) ON DELETE SET NULL (rollout_id),
  CONSTRAINT ck_config_history_resource_type CHECK (resource_type IN ('listener', 'route_config', 'cluster', 'endpoint', 'secret')),
  CONSTRAINT ck_config_history_status CHECK (status IN ('sent', 'acked', 'nacked', 'rolled_back')),
  CONSTRAINT ck_config_history_error_detail CHECK ((status <> 'nacked' OR error_detail IS NOT NULL)
    AND jsonb_typeof(error_detail) = 'object')
);
CREATE INDEX ix_config_history_proxy_id_sent_at ON config_history (proxy_id, sent_at);
CREATE INDEX ix_config_history_config_version_id ON config_history (config_version_id);
CREATE INDEX ix_config_history_rollout_id ON config_history (rollout_id);
CREATE INDEX ix_config_history_tenant_id_status ON config_history (tenant_id, status);

CREATE TABLE webhook_subscriptions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  name text NOT NULL,
  url text NOT NULL,
  secret text NOT NULL,
  event_types text[] NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  max_attempts integer NOT NULL DEFAULT 8,
  description text NOT NULL DEFAULT '',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_webhook_subscriptions PRIMARY KEY (id),
  CONSTRAINT uq_webhook_subscriptions_tenant_id_id UNIQUE (tenant_id, id),
  CONSTRAINT uq_webhook_subscriptions_tenant_id_name UNIQUE (tenant_id, name),
  CONSTRAINT fk_webhook_subscriptions_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT ck_webhook_subscriptions_name CHECK (char_length(name) BETWEEN 1 AND 255),
  CONSTRAINT ck_webhook_subscriptions_url CHECK (url ~ '^https?://[^[:space:]]+$'),
  CONSTRAINT ck_webhook_subscriptions_secret CHECK (char_length(secret) >= 24),
  CONSTRAINT ck_webhook_subscriptions_event_types CHECK (cardinality(event_types) > 0),
  CONSTRAINT ck_webhook_subscriptions_max_attempts CHECK (max_attempts BETWEEN 1 AND 50)
);
CREATE INDEX ix_webhook_subscriptions_event_types ON webhook_subscriptions USING gin (event_types);

CREATE TABLE webhook_deliveries (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  subscription_id uuid NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  attempt integer NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  payload jsonb NOT NULL,
  response_status integer,
  response_body text,
  error text,
  duration_ms integer,
  next_attempt_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id),
  CONSTRAINT uq_webhook_deliveries_subscription_id_event_id_attempt UNIQUE (subscription_id, event_id, attempt),
  CONSTRAINT fk_webhook_deliveries_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  CONSTRAINT fk_webhook_deliveries_tenant_id_subscription_id FOREIGN KEY (tenant_id, subscription_id)
    REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT ck_webhook_deliveries_attempt CHECK (attempt >= 1),
  CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'succeeded', 'failed', 'dead_lettered')),
  CONSTRAINT ck_webhook_deliveries_response_status CHECK (response_status BETWEEN 100 AND 599),
  CONSTRAINT ck_webhook_deliveries_duration_ms CHECK (duration_ms >= 0),
  CONSTRAINT ck_webhook_deliveries_payload CHECK (jsonb_typeof(payload) = 'object')
);
CREATE INDEX ix_webhook_deliveries_tenant_id_status ON webhook_deliveries (tenant_id, status);
CREATE INDEX ix_webhook_deliveries_subscription_id_created_at ON webhook_deliveries (subscription_id, created_at);
`;

const LOG_TABLES = `
CREATE TABLE audit_log (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid,
  table_name text NOT NULL,
  row_id uuid NOT NULL,
  action text NOT NULL,
  actor text NOT NULL,
  before jsonb,
  after jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pk_audit_log PRIMARY KEY (id),
  CONSTRAINT ck_audit_log_action CHECK (action IN ('insert', 'update', 'delete')),
  CONSTRAINT ck_audit_log_images CHECK ((action = 'insert' AND before IS NULL AND after IS NOT NULL)
    OR (action = 'update' AND before IS NOT NULL AND after IS NOT NULL)
    OR (action = 'delete' AND before IS NOT NULL AND after IS NULL))
);
CREATE INDEX ix_audit_log_tenant_id_created_at ON audit_log (tenant_id, created_at);
CREATE INDEX ix_audit_log_table_name_row_id ON audit_log (table_name, row_id);

CREATE TABLE outbox (
  id bigserial NOT NULL,
  event_id uuid NOT NULL,
  type text NOT NULL,
  subject text NOT NULL,
  tenant_id uuid,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  CONSTRAINT pk_outbox PRIMARY KEY (id),
  CONSTRAINT uq_outbox_event_id UNIQUE (event_id)
);
CREATE INDEX ix_outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
`;

/** Tables whose rows change: every UPDATE bumps `version` and `updated_at`. */
const MUTABLE_TABLES = [
  'tenants',
  'users',
  'api_keys',
  'role_bindings',
  'nodes',
  'proxy_groups',
  'proxies',
  'configs',
  'config_templates',
  'config_bindings',
  'listeners',
  'route_configs',
  'clusters',
  'endpoints',
  'secrets',
  'rollouts',
  'config_history',
  'webhook_subscriptions',
  'webhook_deliveries',
];

const TRIGGERS = `
${MUTABLE_TABLES.map((table) => `CREATE TRIGGER touch_row BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION app_touch_row();`).join('\n')}
CREATE TRIGGER reject_update BEFORE UPDATE ON config_versions FOR EACH ROW EXECUTE FUNCTION app_reject_change();
CREATE TRIGGER reject_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION app_reject_change();
CREATE TRIGGER check_parent BEFORE INSERT OR UPDATE OF parent_id ON proxy_groups
  FOR EACH ROW EXECUTE FUNCTION app_check_proxy_group_parent();
CREATE TRIGGER notify_relay AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION app_notify_outbox();
`;
