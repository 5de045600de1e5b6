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
const release = (
  fields: Partial<ReleasingRollout> | undefined,
  withheld: ConfigRelease['withheld'] = new Map(),
): ConfigRelease => ({
  latest: v3,
  rollout: fields === undefined ? undefined : rollout(fields),
  withheld,
});
/** `version` NACKed lastingly; `servedTo` answered it; the others fall back to `fallback`. */
const withholding = (version: StoredVersion, fallback: StoredVersion | undefined, servedTo: string[] = []) =>
  new Map([[version.id, { servedTo: new Set(servedTo), fallback }]]);

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

  describe('a version NACKed lastingly', () => {
    it('is withheld from proxies not served it, which get the last ACKed version', () => {
      const sut = release(undefined, withholding(v3, v2, ['nacker', 'acker']));

      expect(releasedVersion(sut, 'late-joiner')).toBe(v2);
      expect(releasedVersion(sut, 'nacker')).toBe(v3);
      expect(releasedVersion(sut, 'acker')).toBe(v3);
    });

    it('gives nothing to a proxy not served it when no older version was ACKed', () => {
      expect(releasedVersion(release(undefined, withholding(v3, undefined)), 'late-joiner')).toBeUndefined();
    });

    it('is withheld from later joiners after a completed rollout', () => {
      const sut = release({ state: 'completed' }, withholding(v2, v1, ['canary']));

      expect(releasedVersion(sut, 'late-joiner')).toBe(v1);
      expect(releasedVersion(sut, 'canary')).toBe(v2);
    });

    it('reaches the proxies of a running or paused rollout’s waves, whose gates judge NACKs', () => {
      for (const state of ['running', 'paused'] as const) {
        const sut = release(
          { state, reached: new Set(['canary', 'second']) },
          withholding(v2, v1, ['canary']),
        );

        expect(releasedVersion(sut, 'second')).toBe(v2);
        expect(releasedVersion(sut, 'late-joiner')).toBe(v1);
      }
    });

    it('does not change what a proxy runs when another version is withheld', () => {
      expect(releasedVersion(release(undefined, withholding(v2, v1)), 'p')).toBe(v3);
    });
  });
});
