import { type RolloutState } from '@envoy-fleet/domain';
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

/** What decides which version of one config each proxy bound to it runs. */
export interface ConfigRelease {
  /** The config's newest version; undefined while it has none. */
  readonly latest: StoredVersion | undefined;
  /** Its newest rollout; undefined when it was never rolled out. */
  readonly rollout: ReleasingRollout | undefined;
}

/**
 * The version of a config a proxy runs (docs/rollouts.md). A config never rolled out serves its newest
 * version, so a new version reaches every proxy at once. Once rolled out, its newest rollout decides:
 * pending, the previous version; running or paused, the new version for the proxies its waves reached and
 * the previous one for the others (proxies that joined later included); completed, the new version;
 * aborted or rolled back, the previous version. A version written after the rollout's reaches proxies
 * only through a new rollout.
 */
export function releasedVersion(release: ConfigRelease, proxyId: string): StoredVersion | undefined {
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
