import { ConfigVersionEntity } from '@envoy-fleet/db';
import { type ConfigDocument, isJsonObject, type JsonObject, type JsonValue } from '@envoy-fleet/domain';
import { type EntityManager, In } from 'typeorm';
import { type EffectiveConfig, type ProxyResolution } from './config-resolution';

/**
 * A listener address whose `socket_address.named_port` is this binds the proxy's allocated port
 * (`proxies.proxy_port`, the container's `PROXY_PORT`) instead of a fixed one: several Envoys of a group
 * on one VM with `--network host` each bind their own port (docs/adr/0004).
 */
export const PROXY_PORT_PLACEHOLDER = 'PROXY_PORT';

/**
 * The document with every listener address naming {@link PROXY_PORT_PLACEHOLDER} bound to `proxyPort`
 * (`address` and `additional_addresses`); undefined when no listener names it.
 */
export function bindProxyPort(document: ConfigDocument, proxyPort: number): ConfigDocument | undefined {
  let bound = false;
  const listener = document.resources.listener.map((resource) => {
    const body = bindAddresses(resource.body, proxyPort);
    if (body === resource.body) return resource;
    bound = true;
    return { ...resource, body };
  });
  return bound ? { resources: { ...document.resources, listener } } : undefined;
}

function bindAddresses(body: JsonObject, proxyPort: number): JsonObject {
  let changed = false;
  const bind = (address: JsonValue): JsonValue => {
    const next = bindAddress(address, proxyPort);
    changed ||= next !== address;
    return next;
  };
  const { address, additional_addresses: additional } = body;
  const next: Record<string, JsonValue> = { ...body };
  if (address !== undefined) next['address'] = bind(address);
  if (Array.isArray(additional)) {
    next['additional_addresses'] = (additional as readonly JsonValue[]).map((entry): JsonValue =>
      isJsonObject(entry) && entry['address'] !== undefined
        ? { ...entry, address: bind(entry['address']) }
        : entry,
    );
  }
  return changed ? next : body;
}

function bindAddress(address: JsonValue, proxyPort: number): JsonValue {
  if (!isJsonObject(address)) return address;
  const socket = address['socket_address'];
  if (!isJsonObject(socket) || socket['named_port'] !== PROXY_PORT_PLACEHOLDER) return address;
  const { named_port: _placeholder, ...rest } = socket;
  return { ...address, socket_address: { ...rest, port_value: proxyPort } };
}

/**
 * Binds the listener ports of every resolved proxy (by proxy id) whose config names
 * {@link PROXY_PORT_PLACEHOLDER}: its config becomes the document with its own port, under the snapshot
 * id `<snapshot id>:port:<port>`, so proxies share a snapshot only when they share a port (proxies of one
 * group on different VMs usually do). Stored versions are looked into in PostgreSQL, and only those
 * holding the placeholder are read whole; configs without it are returned as they were.
 */
export async function bindListenerPorts(
  manager: EntityManager,
  resolutions: ReadonlyMap<string, ProxyResolution>,
): Promise<Map<string, ProxyResolution>> {
  const versionIds = new Set<string>();
  for (const resolution of resolutions.values()) {
    if (resolution.status === 'resolved' && 'versionId' in resolution.config.content)
      versionIds.add(resolution.config.content.versionId);
  }
  const stored = await placeholderDocuments(manager, [...versionIds]);
  const documentOf = (config: EffectiveConfig): ConfigDocument | undefined =>
    'document' in config.content ? config.content.document : stored.get(config.content.versionId);
  const binding = [...resolutions].flatMap(([proxyId, resolution]) => {
    if (resolution.status !== 'resolved') return [];
    const document = documentOf(resolution.config);
    return document !== undefined && bindProxyPort(document, 0) !== undefined
      ? [{ proxyId, config: resolution.config, document }]
      : [];
  });
  const bound = new Map(resolutions);
  if (binding.length === 0) return bound;
  const ports = await proxyPorts(
    manager,
    binding.map(({ proxyId }) => proxyId),
  );
  for (const { proxyId, config, document } of binding) {
    const port = ports.get(proxyId);
    const withPort = port === undefined ? undefined : bindProxyPort(document, port);
    if (port === undefined || withPort === undefined) continue;
    bound.set(proxyId, {
      status: 'resolved',
      config: {
        snapshotId: `${config.snapshotId}:port:${port}`,
        source: `${config.source} on port ${port}`,
        content: { document: withPort },
      },
    });
  }
  return bound;
}

async function proxyPorts(manager: EntityManager, proxyIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await manager.query<{ id: string; proxy_port: number }[]>(
    'SELECT id, proxy_port FROM proxies WHERE id = ANY($1::uuid[])',
    [proxyIds],
  );
  return new Map(rows.map((row) => [row.id, row.proxy_port]));
}

/** The documents of the versions among `versionIds` with a listener naming the placeholder. */
async function placeholderDocuments(
  manager: EntityManager,
  versionIds: readonly string[],
): Promise<Map<string, ConfigDocument>> {
  if (versionIds.length === 0) return new Map();
  const holding = await manager.query<{ id: string }[]>(
    `SELECT id FROM config_versions WHERE id = ANY($1::uuid[]) AND jsonb_path_exists(document,
       '$.resources.listener[*].body.** ? (@.named_port == $placeholder)', jsonb_build_object('placeholder', $2::text))`,
    [versionIds, PROXY_PORT_PLACEHOLDER],
  );
  if (holding.length === 0) return new Map();
  const versions = await manager.find(ConfigVersionEntity, {
    select: { id: true, document: true },
    where: { id: In(holding.map((row) => row.id)) },
  });
  return new Map(versions.map((version) => [version.id, version.document as ConfigDocument]));
}
