import { isDomainError } from '@envoy-fleet/domain';
import { applyUpdateMask, fieldPaths, inRequestTerms, timestampOf } from './grpc-request';

describe(fieldPaths.name, () => {
  it('puts REST paths under the request field, renamed where the proto names them differently', () => {
    const sut = fieldPaths('node', { 'capacity.cpuMillicores': 'capacity.cpu_millis' });

    expect(sut('capacity.cpuMillicores')).toBe('node.capacity.cpu_millis');
    expect(sut('proxyPortRange.start')).toBe('node.proxy_port_range.start');
    expect(sut('')).toBe('node');
  });

  it('keeps what follows a renamed prefix as it is (resource paths inside a spec)', () => {
    const sut = fieldPaths('config', { spec: 'spec', 'metadata.name': 'name' });

    expect(sut('spec.clusters[0].connectTimeout')).toBe('config.spec.clusters[0].connectTimeout');
    expect(sut('metadata.name')).toBe('config.name');
  });
});

describe(inRequestTerms.name, () => {
  it('rewrites the issue paths of a domain error and passes other errors through', async () => {
    const failing = inRequestTerms(fieldPaths('node'), () => {
      throw Object.assign(new Error('x'), { name: 'Other' });
    });
    await expect(failing).rejects.toThrow('x');

    const rewritten = await inRequestTerms(fieldPaths('node'), () =>
      applyUpdateMask({ a: 1 }, { a: 2 }, ['b'], { a: ['a'] }),
    ).catch((error: unknown) => error);
    expect(isDomainError(rewritten) && rewritten.issues).toEqual([
      { path: 'node.update_mask.paths[0]', message: '"b" is not a writable field; use a' },
    ]);
  });
});

describe(applyUpdateMask.name, () => {
  interface Write {
    name: string;
    labels: Record<string, string>;
    description: string;
  }
  const current: Write = { name: 'a', labels: { x: '1' }, description: 'old' };
  const desired: Write = { name: 'b', labels: { y: '2' }, description: 'new' };
  const writable: Record<string, (keyof Write)[]> = {
    name: ['name'],
    labels: ['labels'],
    description: ['description'],
  };

  it('replaces every writable field without a mask', () => {
    expect(applyUpdateMask(current, desired, [], writable)).toEqual(desired);
    expect(applyUpdateMask(current, desired, undefined, writable)).toEqual(desired);
  });

  it('takes only the named fields from the desired message', () => {
    expect(applyUpdateMask(current, desired, ['labels'], writable)).toEqual({
      ...current,
      labels: { y: '2' },
    });
  });
});

describe(timestampOf.name, () => {
  it('turns an ISO time into seconds and nanoseconds, and null into no timestamp', () => {
    expect(timestampOf('2026-01-02T03:04:05.678Z')).toEqual({ seconds: '1767323045', nanos: 678_000_000 });
    expect(timestampOf(null)).toBeUndefined();
  });
});
