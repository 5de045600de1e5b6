import { diffConfigs } from './config-diff';
import type { ProxyConfig } from './proxy-config';

const config = (connectTimeout: string): ProxyConfig => ({
  apiVersion: 'v1',
  kind: 'ProxyConfig',
  metadata: { name: 'edge', description: '', labels: {} },
  spec: {
    listeners: [],
    routes: [],
    clusters: [{ name: 'api', connect_timeout: connectTimeout }],
    endpoints: [],
    secrets: [],
  },
});

describe(diffConfigs.name, () => {
  it('gives the RFC 6902 operations and a unified diff of the YAML documents', () => {
    const sut = diffConfigs(
      { label: 'edge version 1', config: config('2s') },
      { label: 'edge version 2', config: config('3s') },
    );

    expect(sut.patch).toEqual([{ op: 'replace', path: '/spec/clusters/0/connect_timeout', value: '3s' }]);
    expect(sut.unified).toContain('--- edge version 1\n+++ edge version 2\n');
    expect(sut.unified).toContain('-      connect_timeout: 2s\n+      connect_timeout: 3s\n');
  });

  it('is empty between equal documents', () => {
    const sut = diffConfigs({ label: 'a', config: config('2s') }, { label: 'b', config: config('2s') });

    expect(sut.patch).toEqual([]);
    expect(sut.unified).not.toMatch(/^[-+] /m);
  });
});
