import { type ConfigDocument } from '@envoy-fleet/domain';
import {
  assignment,
  configDocument,
  edsCluster,
  listener,
  routeConfig,
  webConfig,
} from '../../test/envoy-config.fixtures';
import { type TranslatedResources, translateDocument } from './config-translation';
import { checkConsistency } from './snapshot-consistency';
import { TranslationCache } from './translation-cache';

async function translated(document: ConfigDocument): Promise<TranslatedResources> {
  const translation = await translateDocument(document, new TranslationCache());
  if (!translation.ok) throw new Error(`fixture does not translate: ${translation.issues.join('; ')}`);
  return translation.resources;
}

async function issuesOf(document: ConfigDocument): Promise<readonly string[]> {
  const result = checkConsistency(await translated(document));
  return result.ok ? [] : result.issues;
}

describe(checkConsistency.name, () => {
  it('accepts a listener, its route configuration, its cluster and its endpoints unchanged', async () => {
    const resources = await translated(webConfig('api'));

    expect(checkConsistency(resources)).toEqual({ ok: true, resources });
  });

  it('rejects a listener whose route configuration is not defined', async () => {
    const document = configDocument({ listener: [listener('http', 10000, 'missing')] });

    expect(await issuesOf(document)).toEqual([
      'listener "http" uses route configuration "missing", which is not defined',
    ]);
  });

  it('rejects a route to a cluster that is not defined', async () => {
    const document = configDocument({ route_config: [routeConfig('web', 'ghost')] });

    expect(await issuesOf(document)).toEqual([
      'route configuration "web" routes to cluster "ghost", which is not defined',
    ]);
  });

  it('rejects two resources of one kind with the same name', async () => {
    const document = configDocument({ cluster: [edsCluster('api'), edsCluster('api')] });

    expect(await issuesOf(document)).toEqual(['cluster "api" is defined twice']);
  });

  it('rejects two listeners on one port, including a wildcard address against a specific one', async () => {
    const document = configDocument({
      listener: [
        listener('public', 10000, 'web'),
        listener('private', 10000, 'web', '10.0.0.5'),
        listener('other-port', 10001, 'web'),
      ],
      route_config: [routeConfig('web', 'api')],
      cluster: [edsCluster('api')],
    });

    expect(await issuesOf(document)).toEqual(['listeners "public" and "private" both bind TCP port 10000']);
  });

  it('allows one port on two distinct specific addresses', async () => {
    const document = configDocument({
      listener: [listener('a', 10000, 'web', '10.0.0.5'), listener('b', 10000, 'web', '10.0.0.6')],
      route_config: [routeConfig('web', 'api')],
      cluster: [edsCluster('api')],
    });

    expect(await issuesOf(document)).toEqual([]);
  });

  it('gives an EDS cluster without endpoints an empty ClusterLoadAssignment', async () => {
    const resources = await translated(
      configDocument({ cluster: [edsCluster('api'), edsCluster('db')], endpoint: [assignment('db', 5432)] }),
    );

    const result = checkConsistency(resources);

    expect(result.ok && result.resources.endpoint.map(({ name, json }) => ({ name, json }))).toEqual([
      { name: 'db', json: expect.objectContaining({ cluster_name: 'db' }) as unknown },
      { name: 'api', json: { cluster_name: 'api' } },
    ]);
  });
});

describe(translateDocument.name, () => {
  it('reports every resource Envoy would refuse, with its path', async () => {
    const document = configDocument({
      cluster: [{ name: 'api', labels: {}, body: { name: 'api', connect_timeout: 'soon' } }],
      listener: [{ name: 'http', labels: {}, body: { name: 'other' } }],
    });

    const translation = await translateDocument(document, new TranslationCache());

    expect(translation.ok).toBe(false);
    expect(!translation.ok && translation.issues).toEqual([
      'listener "http": the body names it "other"',
      expect.stringMatching(/^cluster "api": connect_timeout: /) as unknown,
    ]);
  });
});
