import { randomUUID } from 'node:crypto';
import { createEvent } from '@envoy-fleet/domain';
import { type EventPublisher, type MessagingLogger } from '@envoy-fleet/messaging';
import { publishSnapshot, type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { servingKeyOf, type SnapshotResources } from '@envoy-fleet/xds';
import {
  SNAPSHOT_KINDS,
  type TranslatedResources,
  type Translation,
  translateDocument,
  translateEntries,
} from './config-translation';
import { type EffectiveConfig } from './config-resolution';
import {
  type BuildSession,
  type ConfigRejection,
  type EffectiveConfigRepository,
  type ProxyConfigTarget,
} from './effective-config.repository';
import { TranslationCache } from './translation-cache';
import { type DeliveryMetrics } from '../metrics/delivery-metrics';
import { checkConsistency } from './snapshot-consistency';

export interface BuildSnapshotsCommand {
  /** Rebuild the proxies of one tenant; when undefined, every tenant, and drop pointers of deleted proxies. */
  readonly tenantId?: string;
}

/** Proxies whose config cannot be served; they keep the snapshot they had. */
export interface RejectedConfig extends ConfigRejection {
  readonly nodeIds: readonly string[];
}

export interface BuildReport {
  /** Serving keys whose snapshot was written by this build (absent before). */
  readonly published: readonly string[];
  /** Proxies whose pointer moved to a new serving key. */
  readonly repointed: readonly string[];
  /** Pointers of proxies that no longer exist, deleted by a build of every tenant. */
  readonly removed: readonly string[];
  /**
   * Configs that could not be resolved (template render errors, parameters against the schema,
   * inheritance cycles) or that failed translation or consistency: not published, their proxies left
   * as they were.
   */
  readonly rejected: readonly RejectedConfig[];
  /** Proxies no binding gives a config; their pointer is left as it was. */
  readonly unbound: readonly string[];
}

export interface SnapshotBuilderDependencies {
  readonly configs: EffectiveConfigRepository;
  readonly store: SnapshotStore;
  readonly events: EventPublisher;
  readonly logger: MessagingLogger;
  /** Build durations and snapshot sizes; the app passes its registry's. */
  readonly metrics?: DeliveryMetrics;
  /** Translated resources by content, kept across builds; by default one of 64 MiB of the builder's own. */
  readonly translations?: TranslationCache;
}

/** Proxies running one config version share its snapshot: the serving key names the version. */
export function servingKeyOfVersion(tenantId: string, versionId: string): string {
  return servingKeyOf(tenantId, `version:${versionId}`);
}

/**
 * Brings the snapshot store in line with PostgreSQL: resolves each proxy's effective config version,
 * publishes one snapshot per version (only if it is consistent), points each proxy at it and
 * announces the serving keys that changed. Config versions are immutable, so a serving key that already
 * exists is never rewritten: running the same build twice writes nothing and announces nothing.
 */
export class SnapshotBuilder {
  private readonly translations: TranslationCache;

  constructor(private readonly deps: SnapshotBuilderDependencies) {
    this.translations = deps.translations ?? new TranslationCache();
  }

  async execute(command: BuildSnapshotsCommand = {}): Promise<BuildReport> {
    const ended = this.deps.metrics?.buildStarted(command.tenantId === undefined ? 'all' : 'tenant');
    try {
      return await this.build(command);
    } finally {
      ended?.();
    }
  }

  private async build(command: BuildSnapshotsCommand): Promise<BuildReport> {
    if (command.tenantId !== undefined) return this.buildTenant(command.tenantId);
    const reports: BuildReport[] = [];
    for (const tenantId of await this.deps.configs.tenantIds())
      reports.push(await this.buildTenant(tenantId));
    const removed = await this.removeOrphans();
    await this.announce([...removed.values()]);
    return {
      published: reports.flatMap((report) => report.published),
      repointed: reports.flatMap((report) => report.repointed),
      removed: [...removed.keys()],
      rejected: reports.flatMap((report) => report.rejected),
      unbound: reports.flatMap((report) => report.unbound),
    };
  }

  /** Removes the pointer of a proxy that no longer exists, and tells the xds-servers streaming it. */
  forget(tenantId: string, nodeId: string): Promise<void> {
    return this.deps.configs.withBuildLock(tenantId, async () => {
      const left = (await this.deps.store.getPointers('proxy', [nodeId])).get(nodeId);
      if (left === undefined) return;
      await this.deps.store.deletePointers('proxy', [nodeId]);
      await this.announce([left]);
    });
  }

  private buildTenant(tenantId: string): Promise<BuildReport> {
    return this.deps.configs.withBuildLock(tenantId, async (session) => {
      const targets = await session.resolve();
      const unbound = targets
        .filter((target) => target.resolution.status === 'unbound')
        .map((target) => target.nodeId);
      const rejected = invalidConfigs(targets);
      const byKey = groupByServingKey(targets);
      const existing = await this.servedKeys([...byKey.keys()]);
      const published: string[] = [];
      const servable = new Map<string, string>();
      for (const [servingKey, { config, nodeIds }] of byKey) {
        if (!existing.has(servingKey)) {
          const issues = await this.publish(session, servingKey, config);
          if (issues.length > 0) {
            rejected.push({ source: config.source, nodeIds, issues });
            continue;
          }
          published.push(servingKey);
        }
        for (const nodeId of nodeIds) servable.set(nodeId, servingKey);
      }
      const current = await this.proxyPointers([...servable.keys()]);
      const moved = new Map(
        [...servable].filter(([nodeId, servingKey]) => current.get(nodeId) !== servingKey),
      );
      await this.moveProxyPointers(moved);
      const left = [...moved.keys()].flatMap((nodeId) => current.get(nodeId) ?? []);
      await session.recordRejections(
        new Map(
          rejected.flatMap(({ source, nodeIds, issues }) =>
            nodeIds.map((nodeId) => [nodeId, { source, issues }] as const),
          ),
        ),
      );
      await this.announce([...published, ...moved.values(), ...left]);
      for (const { source, nodeIds, issues } of rejected) {
        this.deps.logger.warn(
          { source, nodeIds, issues },
          `the config of ${nodeIds.length} proxies (${source}) is invalid and was not published; they keep their snapshot`,
        );
      }
      return { published, repointed: [...moved.keys()], removed: [], rejected, unbound };
    });
  }

  /**
   * The serving keys whose manifest is in the store. A pointer whose manifest is gone (a partial loss of
   * Redis) counts as absent, so the snapshot is published again.
   */
  private async servedKeys(servingKeys: readonly string[]): Promise<Set<string>> {
    const pointers = await this.deps.store.getPointers('serving', servingKeys);
    const manifests = await this.deps.store.getBlobs('manifest', [...new Set(pointers.values())]);
    return new Set([...pointers].filter(([, hash]) => manifests.has(hash)).map(([servingKey]) => servingKey));
  }

  /** Reads proxy pointers in batches sent at once (the store pipelines them on its connection). */
  private async proxyPointers(nodeIds: readonly string[]): Promise<Map<string, string>> {
    const found = await Promise.all(
      batches(nodeIds).map((batch) => this.deps.store.getPointers('proxy', batch)),
    );
    return new Map(found.flatMap((pointers) => [...pointers]));
  }

  private async moveProxyPointers(moved: ReadonlyMap<string, string>): Promise<void> {
    await Promise.all(
      batches([...moved]).map((batch) => this.deps.store.setPointers('proxy', new Map(batch))),
    );
  }

  /** Deletes the pointers of proxies that are not in PostgreSQL (deleted while no replica was running). */
  private async removeOrphans(): Promise<Map<string, string>> {
    const pointers = new Map<string, string>();
    for await (const [nodeId, servingKey] of this.deps.store.listPointers('proxy'))
      pointers.set(nodeId, servingKey);
    const existing = await this.deps.configs.existingNodeIds([...pointers.keys()]);
    const orphans = new Map([...pointers].filter(([nodeId]) => !existing.has(nodeId)));
    if (orphans.size > 0) await this.deps.store.deletePointers('proxy', [...orphans.keys()]);
    return orphans;
  }

  /** Resolves to the reasons the version cannot be served, or to none once it is published. */
  private async publish(
    session: BuildSession,
    servingKey: string,
    config: EffectiveConfig,
  ): Promise<readonly string[]> {
    const translation = await this.translate(session, config);
    if (!translation.ok) return translation.issues;
    const consistency = checkConsistency(translation.resources);
    if (!consistency.ok) return consistency.issues;
    const published = await publishSnapshot(this.deps.store, {
      servingKey,
      resources: snapshotResources(consistency.resources),
    });
    let bytes = published.manifestBytes.byteLength;
    for (const blob of published.blobs.values()) bytes += blob.byteLength;
    this.deps.metrics?.snapshotPublished(bytes);
    return [];
  }

  /** Only resources whose content the cache has not seen are read from PostgreSQL and encoded. */
  private async translate(session: BuildSession, config: EffectiveConfig): Promise<Translation> {
    const { content } = config;
    if ('document' in content) return translateDocument(content.document, this.translations);
    const { versionId } = content;
    const { entries, bodies } = await session.versionResources(
      versionId,
      this.translations.recentKeys(KNOWN_KEYS_SENT),
    );
    return translateEntries(entries, this.translations, async (keys) => {
      // Only a body evicted from the cache while the version was read is missing.
      const unread = keys.filter((key) => !bodies.has(key));
      if (unread.length === 0) return bodies;
      return new Map([...bodies, ...(await session.versionBodies(versionId, unread))]);
    });
  }

  private async announce(servingKeys: readonly string[]): Promise<void> {
    const unique = [...new Set(servingKeys)];
    if (unique.length === 0) return;
    await this.deps.events.publish(
      createEvent('snapshot.updated', {
        id: randomUUID(),
        tenantId: null,
        aggregateId: 'fleet-manager',
        payload: { servingKeys: unique },
      }),
    );
  }
}

/**
 * How many of the cache's most recently used content keys a build tells PostgreSQL it knows, so that
 * their bodies are not sent; a body whose key is cached but not among them is only sent needlessly.
 */
const KNOWN_KEYS_SENT = 10_000;

/** Pointers per store call; the calls of one build go out together. */
const POINTER_BATCH = 1_000;

function batches<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += POINTER_BATCH)
    result.push(items.slice(start, start + POINTER_BATCH));
  return result;
}

function groupByServingKey(
  targets: readonly ProxyConfigTarget[],
): Map<string, { config: EffectiveConfig; nodeIds: string[] }> {
  const byKey = new Map<string, { config: EffectiveConfig; nodeIds: string[] }>();
  for (const { tenantId, nodeId, resolution } of targets) {
    if (resolution.status !== 'resolved') continue;
    const servingKey = servingKeyOf(tenantId, resolution.config.snapshotId);
    const entry = byKey.get(servingKey) ?? { config: resolution.config, nodeIds: [] };
    entry.nodeIds.push(nodeId);
    byKey.set(servingKey, entry);
  }
  return byKey;
}

/** Proxies whose binding could not produce a config, grouped by source and reasons. */
function invalidConfigs(targets: readonly ProxyConfigTarget[]): RejectedConfig[] {
  const byReason = new Map<string, { source: string; nodeIds: string[]; issues: readonly string[] }>();
  for (const { nodeId, resolution } of targets) {
    if (resolution.status !== 'invalid') continue;
    const key = JSON.stringify([resolution.source, resolution.issues]);
    const entry = byReason.get(key) ?? { source: resolution.source, nodeIds: [], issues: resolution.issues };
    entry.nodeIds.push(nodeId);
    byReason.set(key, entry);
  }
  return [...byReason.values()];
}

/** Every kind is listed, empty or not, so a proxy learns that a kind it had is now empty. */
function snapshotResources(resources: TranslatedResources): SnapshotResources {
  return Object.fromEntries(
    SNAPSHOT_KINDS.map((kind) => [
      kind,
      resources[kind].map(({ name, bytes, hash }) => ({ name, bytes, hash })),
    ]),
  );
}
