import { type ConfigRelease, type ReleasingRollout, releasedVersion } from './config-release';
import { type StoredVersion } from './config-resolution';

const version = (number: number): StoredVersion => ({
  id: `v${number}`,
  configId: 'c',
  number,
});
const v1 = version(1);
const v2 = version(2);
const v3 = version(3);
const rollout = (fields: Partial<ReleasingRollout>): ReleasingRollout => ({
  id: 'r',
  state: 'running',
  target: v2,
  base: v1,
  reached: new Set(['canary']),
  ...fields,
});
const release = (fields: Partial<ReleasingRollout> | undefined): ConfigRelease => ({
  latest: v3,
  rollout: fields === undefined ? undefined : rollout(fields),
});

describe(releasedVersion.name, () => {
  it('serves the newest version of a config never rolled out', () => {
    expect(releasedVersion(release(undefined), 'p')).toBe(v3);
  });

  it('serves the new version to the proxies the waves reached and the previous one to the others', () => {
    for (const state of ['running', 'paused'] as const) {
      expect(releasedVersion(release({ state }), 'canary')).toBe(v2);
      expect(releasedVersion(release({ state }), 'late-joiner')).toBe(v1);
    }
  });

  it('serves the previous version while pending and after an abort or a roll back', () => {
    for (const state of ['pending', 'aborted', 'rolled_back'] as const) {
      expect(releasedVersion(release({ state }), 'canary')).toBe(v1);
    }
  });

  it('serves the rollout version to every proxy once completed, not a version written after it', () => {
    expect(releasedVersion(release({ state: 'completed' }), 'late-joiner')).toBe(v2);
  });

  it('serves nothing where the config had no previous version', () => {
    expect(releasedVersion(release({ state: 'pending', base: undefined }), 'canary')).toBeUndefined();
  });
});
