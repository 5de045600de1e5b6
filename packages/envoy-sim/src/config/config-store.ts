import { type DecodedResource } from '../xds/resource-catalog';
import {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  isWildcardType,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
  type XdsTypeUrl,
} from '../xds/xds-types';
import { scopes, type SimStats } from '../stats/sim-stats';
import { type RejectPolicy } from './reject-policy';
import { resourceError } from './resource-checks';

/** A version of a resource this Envoy took. */
export interface AppliedResource {
  readonly version: string;
  readonly resource: DecodedResource;
  /** Epoch milliseconds. */
  readonly lastUpdated: number;
}

/** Envoy's UpdateFailureState: the last rejected version of a resource and why. */
export interface FailedUpdate {
  readonly details: string;
  readonly resource?: DecodedResource;
  readonly versionInfo: string;
  readonly lastUpdateAttempt: number;
}

/** Listeners and clusters warm: a new version waits for its RDS/EDS/SDS before it replaces the active one. */
export interface ResourceEntry {
  active?: AppliedResource;
  warming?: AppliedResource;
  error?: FailedUpdate;
}

export interface IncomingResource {
  readonly name: string;
  readonly version: string;
  readonly resource: DecodedResource;
}

export interface ConfigUpdate {
  readonly typeUrl: XdsTypeUrl;
  readonly resources: readonly IncomingResource[];
  /** Names the update deletes (delta `removed_resources`, or LDS/CDS names a SotW response left out). */
  readonly removed: readonly string[];
  /** The response's `version_info` (SotW) or `system_version_info` (delta), recorded on failures. */
  readonly versionInfo: string;
}

export type ServerState = 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING';

/** Envoy's server.state gauge values (envoy.admin.v3.ServerInfo.State). */
export const SERVER_STATE_VALUES: { readonly [S in ServerState]: number } = {
  LIVE: 0,
  DRAINING: 1,
  PRE_INITIALIZING: 2,
  INITIALIZING: 3,
};

/** What an update changed: the rejection message (a NACK) and the resources whose content changed. */
export interface UpdateOutcome {
  readonly error?: string;
  readonly changed: readonly string[];
}

function sameContent(current: AppliedResource | undefined, incoming: IncomingResource): boolean {
  return current?.resource.hash === incoming.resource.hash;
}

/**
 * The configuration one simulated Envoy holds, and Envoy's rules for taking it: LDS and CDS apply each
 * valid resource and reject the others (the response is NACKed, the rest stays applied), RDS/EDS/SDS
 * responses are taken whole or not at all; listeners and clusters warm until the resources they name
 * arrive (or their initial fetch times out); the server goes LIVE once the first CDS and LDS
 * responses are in and warmed.
 */
export class ConfigStore {
  readonly listeners = new Map<string, ResourceEntry>();
  readonly clusters = new Map<string, ResourceEntry>();
  readonly routes = new Map<string, ResourceEntry>();
  readonly endpoints = new Map<string, ResourceEntry>();
  readonly secrets = new Map<string, ResourceEntry>();
  /** `type name` of RDS/EDS/SDS subscriptions whose initial fetch ended without the resource. */
  private readonly fetchEnded = new Set<string>();
  private cdsInitialized = false;
  private ldsInitialized = false;
  private clusterManagerInitialized = false;
  private live = false;

  constructor(
    private readonly stats: SimStats,
    private policy: RejectPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  setPolicy(policy: RejectPolicy): void {
    this.policy = policy;
  }

  entries(typeUrl: XdsTypeUrl): Map<string, ResourceEntry> {
    switch (typeUrl) {
      case LISTENER_TYPE:
        return this.listeners;
      case CLUSTER_TYPE:
        return this.clusters;
      case ROUTE_TYPE:
        return this.routes;
      case ENDPOINT_TYPE:
        return this.endpoints;
      case SECRET_TYPE:
        return this.secrets;
    }
  }

  /** The version of each resource in effect: the active one, or the warming one for a new resource. */
  currentVersions(typeUrl: XdsTypeUrl): Map<string, string> {
    const versions = new Map<string, string>();
    for (const [name, entry] of this.entries(typeUrl)) {
      const applied = entry.warming ?? entry.active;
      if (applied) versions.set(name, applied.version);
    }
    return versions;
  }

  apply(update: ConfigUpdate): UpdateOutcome {
    return isWildcardType(update.typeUrl) ? this.applyPerResource(update) : this.applyAll(update);
  }

  /** LDS/CDS: each resource stands alone; the error lists every rejected one, as Envoy's message does. */
  private applyPerResource(update: ConfigUpdate): UpdateOutcome {
    const entries = this.entries(update.typeUrl);
    const isListener = update.typeUrl === LISTENER_TYPE;
    const kind = isListener ? 'listener' : 'cluster';
    const changed: string[] = [];
    for (const name of update.removed) {
      if (entries.delete(name)) {
        changed.push(name);
        this.stats.inc(
          scopes.plain(isListener ? 'listener_manager.' : 'cluster_manager.'),
          `${kind}_removed`,
        );
      }
    }
    const errors: { name: string; message: string }[] = [];
    const seen = new Set<string>();
    for (const incoming of update.resources) {
      const { name } = incoming;
      const message = seen.has(name)
        ? `duplicate ${kind} ${name} found`
        : (resourceError(incoming.resource, {
            policy: this.policy,
            hasCluster: (cluster) => this.hasCluster(cluster),
          }) ?? (isListener ? this.addressConflict(incoming) : undefined));
      seen.add(name);
      const entry = entries.get(name) ?? {};
      if (message) {
        errors.push({ name, message });
        entry.error = this.failure(message, incoming.resource, update.versionInfo);
        entries.set(name, entry);
        continue;
      }
      entry.error = undefined;
      if (!sameContent(entry.warming ?? entry.active, incoming)) {
        entry.warming = { version: incoming.version, resource: incoming.resource, lastUpdated: this.now() };
        changed.push(name);
      }
      entries.set(name, entry);
    }
    if (isListener) this.ldsInitialized = true;
    else this.cdsInitialized = true;
    this.promoteWarmed();
    if (errors.length === 0) return { changed };
    const error = isListener
      ? `Error adding/updating listener(s) ${errors.map((e) => `${e.name}: ${e.message}\n`).join('')}`
      : `Error adding/updating cluster(s) ${errors.map((e) => `${e.name}: ${e.message}`).join(', ')}`;
    return { error, changed };
  }

  /** RDS/EDS/SDS: the first invalid resource rejects the whole update and nothing of it is applied. */
  private applyAll(update: ConfigUpdate): UpdateOutcome {
    const entries = this.entries(update.typeUrl);
    const seen = new Set<string>();
    for (const incoming of update.resources) {
      const message = seen.has(incoming.name)
        ? `duplicate name ${incoming.name} found among added/updated resources`
        : resourceError(incoming.resource, {
            policy: this.policy,
            hasCluster: (cluster) => this.hasCluster(cluster),
          });
      seen.add(incoming.name);
      if (message) {
        const entry = entries.get(incoming.name);
        if (entry) entry.error = this.failure(message, incoming.resource, update.versionInfo);
        return { error: message, changed: [] };
      }
    }
    const changed: string[] = [];
    for (const name of update.removed) {
      if (entries.delete(name)) changed.push(name);
    }
    for (const incoming of update.resources) {
      const entry = entries.get(incoming.name) ?? {};
      entry.error = undefined;
      if (!sameContent(entry.active, incoming)) {
        entry.active = { version: incoming.version, resource: incoming.resource, lastUpdated: this.now() };
        changed.push(incoming.name);
      }
      entries.set(incoming.name, entry);
    }
    this.promoteWarmed();
    return { changed };
  }

  private failure(details: string, resource: DecodedResource, versionInfo: string): FailedUpdate {
    return { details, resource, versionInfo, lastUpdateAttempt: this.now() };
  }

  /** Envoy's ListenerManagerImpl refuses a second listener bound to an address another one holds. */
  private addressConflict(incoming: IncomingResource): string | undefined {
    const wanted = incoming.resource.listener?.addresses ?? [];
    for (const [name, entry] of this.listeners) {
      if (name === incoming.name) continue;
      const held = [entry.active, entry.warming].flatMap(
        (applied) => applied?.resource.listener?.addresses ?? [],
      );
      if (wanted.some((address) => held.includes(address))) {
        return `error adding listener: '${incoming.name}' has duplicate address '${wanted.join(',')}' as existing listener`;
      }
    }
    return undefined;
  }

  hasCluster(name: string): boolean {
    const entry = this.clusters.get(name);
    return entry?.active !== undefined || entry?.warming !== undefined;
  }

  /**
   * An RDS/EDS/SDS initial fetch ended without the resource (it timed out, or the response was
   * rejected): what waits on it finishes warming without it, as Envoy's init targets do.
   */
  markFetchEnded(typeUrl: XdsTypeUrl, name: string): void {
    this.fetchEnded.add(`${typeUrl} ${name}`);
    this.promoteWarmed();
  }

  /** The first CDS or LDS fetch timed out or was rejected: Envoy's initialization goes on all the same. */
  markInitialFetchEnded(typeUrl: XdsTypeUrl): void {
    if (typeUrl === CLUSTER_TYPE) this.cdsInitialized = true;
    if (typeUrl === LISTENER_TYPE) this.ldsInitialized = true;
    this.promoteWarmed();
  }

  private available(typeUrl: XdsTypeUrl, name: string): boolean {
    return this.entries(typeUrl).get(name)?.active !== undefined || this.fetchEnded.has(`${typeUrl} ${name}`);
  }

  private warmed(applied: AppliedResource): boolean {
    const { cluster, listener } = applied.resource;
    const secretsReady = (names: readonly string[]): boolean =>
      names.every((name) => this.available(SECRET_TYPE, name));
    if (cluster) {
      const edsReady =
        cluster.edsServiceName === undefined || this.available(ENDPOINT_TYPE, cluster.edsServiceName);
      return edsReady && secretsReady(cluster.sdsSecrets);
    }
    if (listener) {
      const routesReady = listener.connectionManagers.every(
        (manager) => manager.rdsName === undefined || this.available(ROUTE_TYPE, manager.rdsName),
      );
      return routesReady && secretsReady(listener.sdsSecrets);
    }
    return true;
  }

  private promoteWarmed(): void {
    for (const [entries, manager, kind] of [
      [this.clusters, 'cluster_manager.', 'cluster'],
      [this.listeners, 'listener_manager.', 'listener'],
    ] as const) {
      for (const entry of entries.values()) {
        if (entry.warming && this.warmed(entry.warming)) {
          this.stats.inc(scopes.plain(manager), entry.active ? `${kind}_modified` : `${kind}_added`);
          entry.active = entry.warming;
          entry.warming = undefined;
        }
      }
    }
    const count = (entries: Map<string, ResourceEntry>, state: 'active' | 'warming'): number =>
      [...entries.values()].filter((entry) => entry[state] !== undefined).length;
    this.stats.set(scopes.plain('cluster_manager.'), 'active_clusters', count(this.clusters, 'active'));
    this.stats.set(scopes.plain('cluster_manager.'), 'warming_clusters', count(this.clusters, 'warming'));
    this.stats.set(
      scopes.plain('listener_manager.'),
      'total_listeners_active',
      count(this.listeners, 'active'),
    );
    this.stats.set(
      scopes.plain('listener_manager.'),
      'total_listeners_warming',
      count(this.listeners, 'warming'),
    );
    if (this.cdsInitialized && count(this.clusters, 'warming') === 0) this.clusterManagerInitialized = true;
    if (this.clusterManagerInitialized && this.ldsInitialized && count(this.listeners, 'warming') === 0) {
      this.live = true;
    }
    const state = this.serverState();
    this.stats.set(scopes.plain('server.'), 'state', SERVER_STATE_VALUES[state]);
    this.stats.set(scopes.plain('server.'), 'live', state === 'LIVE' ? 1 : 0);
  }

  /** Envoy starts LDS only once the cluster manager has initialized (CDS in, EDS clusters warmed). */
  clusterManagerReady(): boolean {
    return this.clusterManagerInitialized;
  }

  serverState(): ServerState {
    if (this.live) return 'LIVE';
    return this.clusterManagerInitialized ? 'INITIALIZING' : 'PRE_INITIALIZING';
  }

  /** The names a type must be subscribed to: what the current listeners and clusters refer to. */
  wantedNames(typeUrl: XdsTypeUrl): Set<string> {
    const wanted = new Set<string>();
    const applied = (entries: Map<string, ResourceEntry>): AppliedResource[] =>
      [...entries.values()].flatMap((entry) => [entry.active, entry.warming]).filter((a) => a !== undefined);
    if (typeUrl === ENDPOINT_TYPE) {
      for (const { resource } of applied(this.clusters)) {
        if (resource.cluster?.edsServiceName !== undefined) wanted.add(resource.cluster.edsServiceName);
      }
    } else if (typeUrl === ROUTE_TYPE) {
      for (const { resource } of applied(this.listeners)) {
        for (const manager of resource.listener?.connectionManagers ?? []) {
          if (manager.rdsName !== undefined) wanted.add(manager.rdsName);
        }
      }
    } else if (typeUrl === SECRET_TYPE) {
      for (const { resource } of [...applied(this.clusters), ...applied(this.listeners)]) {
        for (const name of resource.cluster?.sdsSecrets ?? resource.listener?.sdsSecrets ?? [])
          wanted.add(name);
      }
    }
    return wanted;
  }

  /** Which HTTP connection managers (by stat prefix) use a route configuration: its RDS stats live under them. */
  routeStatPrefixes(routeName: string): string[] {
    const prefixes = new Set<string>();
    for (const entry of this.listeners.values()) {
      for (const applied of [entry.active, entry.warming]) {
        for (const manager of applied?.resource.listener?.connectionManagers ?? []) {
          if (manager.rdsName === routeName) prefixes.add(manager.statPrefix);
        }
      }
    }
    return [...prefixes];
  }

  /** Envoy forgets RDS/EDS/SDS resources nothing refers to any more. */
  forget(typeUrl: XdsTypeUrl, names: Iterable<string>): void {
    const entries = this.entries(typeUrl);
    for (const name of names) {
      entries.delete(name);
      this.fetchEnded.delete(`${typeUrl} ${name}`);
    }
  }
}
