import { TEST_DATABASE_ADMIN_URL } from '@envoy-fleet/test-kit/database';
import { type DataSourceOwner, openDataSource, postgresReadinessCheck } from '../src';

class RecordingOwner implements DataSourceOwner {
  readonly opened: string[] = [];
  private readonly closers: (() => Promise<void>)[] = [];

  async open<T>(name: string, open: () => Promise<T>, close: (resource: T) => Promise<void>): Promise<T> {
    const resource = await open();
    this.opened.push(name);
    this.closers.push(() => close(resource));
    return resource;
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0)) await close();
  }
}

describe(openDataSource.name, () => {
  it('opens a pool the owner closes, and the readiness check follows it', async () => {
    const owner = new RecordingOwner();
    const dataSource = await openDataSource(owner, 'postgres', {
      url: TEST_DATABASE_ADMIN_URL,
      applicationName: 'owned-data-source-spec',
    });
    const readiness = postgresReadinessCheck(dataSource);

    expect(owner.opened).toEqual(['postgres']);
    expect(readiness.name).toBe('postgres');
    await expect(readiness.check()).resolves.toBeUndefined();

    await owner.closeAll();
    expect(dataSource.isInitialized).toBe(false);
    await expect(readiness.check()).rejects.toThrow();
  });
});
