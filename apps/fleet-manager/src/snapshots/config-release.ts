import { ConfigEntity, ConfigVersionEntity, RolloutEntity } from '@envoy-fleet/db';
import { reachedProxyIds, type RolloutState } from '@envoy-fleet/domain';
import { type EntityManager, In } from 'typeorm';
import { type StoredVersion } from './config-resolution';

/** The newest rollout of a config, as far as choosing versions goes. */
export interface ReleasingRollout {
  readonly id: string;
  readonly state: RolloutState;
  /** The version the rollout brings. */
  readonly target: StoredVersion;
  /** The version the config served before it; undefined when it served none. */
  readonly base: StoredVersion | undefined;
  /** Ids of the proxies its waves have reached so far. */
  readonly reached: ReadonlySet<string>;
}

/** A version some proxy NACKed lastingly and no operator released: withheld from proxies not served it. */
export interface WithheldVersion {
  /** Ids of the proxies that answered it (ACK or NACK): they were served it, and keep it. */
  readonly servedTo: ReadonlySet<string>;
  /** What the others get instead: the newest older version some proxy ACKed and that is not withheld. */
  readonly fallback: StoredVersion | undefined;
}

/** What decides which version of one config each proxy bound to it runs. */
export interface ConfigRelease {
  /** The config's newest version; undefined while it has none. */
  readonly latest: StoredVersion | undefined;
  /** Its newest rollout; undefined when it was never rolled out. */
  readonly rollout: ReleasingRollout | undefined;
  /** Its withheld versions, by version id. */
  readonly withheld: ReadonlyMap<string, WithheldVersion>;
}

/**
 * The version of a config a proxy runs (docs/rollouts.md). A config never rolled out serves its newest
 * version, so a new version reaches every proxy at once. Once rolled out, its newest rollout decides:
 * pending, the previous version; running or paused, the new version for the proxies its waves reached and
 * the previous one for the others (proxies that joined later included); completed, the new version;
 * aborted or rolled back, the previous version. A version written after the rollout's reaches proxies
 * only through a new rollout.
 *
 * A version a proxy NACKed lastingly is withheld, until an operator releases it, from every proxy that was
 * not served it yet (it has not answered it): those get the last version that was ACKed instead, or
 * nothing when none was. The proxies a running or paused rollout reached are the exception: that
 * rollout's gates (`maxNackedRatio`) are the operator's word on NACKs of its version.
 */
export function releasedVersion(release: ConfigRelease, proxyId: string): StoredVersion | undefined {
  const { rollout } = release;
  const inRunningWave =
    rollout !== undefined &&
    (rollout.state === 'running' || rollout.state === 'paused') &&
    rollout.reached.has(proxyId);
  const chosen = rolloutVersion(release, proxyId);
  if (chosen === undefined || inRunningWave) return chosen;
  const withheld = release.withheld.get(chosen.id);
  return withheld === undefined || withheld.servedTo.has(proxyId) ? chosen : withheld.fallback;
}

function rolloutVersion(release: ConfigRelease, proxyId: string): StoredVersion | undefined {
  const { rollout } = release;
  if (rollout === undefined) return release.latest;
  switch (rollout.state) {
    case 'pending':
    case 'aborted':
    case 'rolled_back':
      return rollout.base;
    case 'running':
    case 'paused':
      return rollout.reached.has(proxyId) ? rollout.target : rollout.base;
    case 'completed':
      return rollout.target;
  }
}

interface VersionVerdict {
  id: string;
  config_id: string;
  number: number;
  acked: boolean;
  withheld: boolean;
}

/**
 * What decides the version each proxy runs of each config (its newest version, its newest rollout and
 * its withheld versions), by config id, read in the build's transaction.
 */
export async function loadConfigReleases(
  manager: EntityManager,
  configIds: readonly string[],
): Promise<Map<string, ConfigRelease>> {
  if (configIds.length === 0) return new Map();
  const [configs, rollouts, verdicts] = await Promise.all([
    manager.findBy(ConfigEntity, { id: In(configIds) }),
    manager
      .createQueryBuilder(RolloutEntity, 'rollout')
      .distinctOn(['rollout.configId'])
      .where('rollout.configId IN (:...configIds)', { configIds })
      .orderBy('rollout.configId')
      .addOrderBy('rollout.createdAt', 'DESC')
      .addOrderBy('rollout.id', 'DESC')
      .getMany(),
    versionVerdicts(manager, configIds),
  ]);
  // Only a version some proxy can be given (a config's newest, its rollout's target or base) needs its
  // served proxies listed: a withheld version that was superseded costs nothing.
  const candidates = new Set([
    ...configs.map((config) => `${config.id}/${config.latestVersion}`),
    ...rollouts.flatMap((rollout) => [rollout.configVersionId, rollout.baseVersionId ?? '']),
  ]);
  const withheld = verdicts.filter(
    (verdict) =>
      verdict.withheld &&
      (candidates.has(verdict.id) || candidates.has(`${verdict.config_id}/${verdict.number}`)),
  );
  const fallbackOf = new Map(
    withheld.map((version) => [
      version.id,
      verdicts.find(
        (other) =>
          other.config_id === version.config_id &&
          other.number < version.number &&
          other.acked &&
          !other.withheld,
      ),
    ]),
  );
  const wanted = [
    ...configs
      .filter((config) => config.latestVersion > 0)
      .map((config) => ({ configId: config.id, number: config.latestVersion })),
    ...rollouts.flatMap((rollout) => [
      { id: rollout.configVersionId },
      ...(rollout.baseVersionId === null ? [] : [{ id: rollout.baseVersionId }]),
    ]),
    ...[...fallbackOf.values()].flatMap((fallback) => (fallback === undefined ? [] : [{ id: fallback.id }])),
  ];
  const [stored, servedTo] = await Promise.all([
    wanted.length === 0
      ? []
      : manager.find(ConfigVersionEntity, {
          select: { id: true, configId: true, number: true },
          where: wanted,
        }),
    proxiesServed(
      manager,
      withheld.map((version) => version.id),
    ),
  ]);
  const byId = new Map(stored.map((version) => [version.id, storedVersion(version)]));
  const rolloutOf = new Map(rollouts.map((rollout) => [rollout.configId, rollout]));
  return new Map(
    configs.map((config): [string, ConfigRelease] => {
      const latest = stored.find(
        (version) => version.configId === config.id && version.number === config.latestVersion,
      );
      const rollout = rolloutOf.get(config.id);
      const target = rollout === undefined ? undefined : byId.get(rollout.configVersionId);
      return [
        config.id,
        {
          latest: latest === undefined ? undefined : storedVersion(latest),
          rollout:
            rollout === undefined || target === undefined
              ? undefined
              : {
                  id: rollout.id,
                  state: rollout.state,
                  target,
                  base: rollout.baseVersionId === null ? undefined : byId.get(rollout.baseVersionId),
                  reached: new Set(reachedProxyIds(rollout)),
                },
          withheld: new Map(
            withheld
              .filter((version) => version.config_id === config.id)
              .map((version) => {
                const fallback = fallbackOf.get(version.id);
                return [
                  version.id,
                  {
                    servedTo: servedTo.get(version.id) ?? new Set(),
                    fallback: fallback === undefined ? undefined : byId.get(fallback.id),
                  },
                ];
              }),
          ),
        },
      ];
    }),
  );
}

/**
 * The versions of the configs, newest first: whether a proxy ACKed each, and whether one NACKed it
 * lastingly (the NACK outlived the transient window) without an operator releasing it. Both are index
 * look-ups (`ix_config_history_config_version_id`, and the partial `ix_config_history_withholding`).
 */
function versionVerdicts(manager: EntityManager, configIds: readonly string[]): Promise<VersionVerdict[]> {
  return manager.query<VersionVerdict[]>(
    `SELECT v.id, v.config_id, v.number,
       EXISTS (SELECT 1 FROM config_history h WHERE h.config_version_id = v.id AND h.status = 'acked') AS acked,
       EXISTS (SELECT 1 FROM config_history h WHERE h.config_version_id = v.id
         AND h.status = 'nacked' AND h.settled_at IS NOT NULL AND h.released_at IS NULL) AS withheld
     FROM config_versions v
     WHERE v.config_id = ANY($1::uuid[])
     ORDER BY v.config_id, v.number DESC`,
    [configIds],
  );
}

/** The proxies that answered each version (an ACK, a NACK, transient or not), by version id. */
async function proxiesServed(
  manager: EntityManager,
  versionIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  if (versionIds.length === 0) return new Map();
  const rows = await manager.query<{ config_version_id: string; proxy_id: string }[]>(
    `SELECT DISTINCT config_version_id, proxy_id FROM config_history
     WHERE config_version_id = ANY($1::uuid[]) AND status IN ('acked', 'nacked', 'transient')`,
    [versionIds],
  );
  const served = new Map<string, Set<string>>();
  for (const row of rows) {
    const proxies = served.get(row.config_version_id) ?? new Set<string>();
    proxies.add(row.proxy_id);
    served.set(row.config_version_id, proxies);
  }
  return served;
}

function storedVersion(version: ConfigVersionEntity): StoredVersion {
  return { id: version.id, configId: version.configId, number: version.number };
}
