import { assignment, configDocument, edsCluster, webConfig } from '../../test/envoy-config.fixtures';
import { type JsonObject, XDS_RESOURCE_TYPES } from '@envoy-fleet/domain';
import {
  type BodyTranslation,
  contentKeyOfBody,
  translateBody,
  translateDocument,
  translateEntries,
} from './config-translation';
import { TranslationCache, translationSize } from './translation-cache';

function counted(translation: BodyTranslation): { calls: number; translate: () => BodyTranslation } {
  const counter = {
    calls: 0,
    translate: () => {
      counter.calls += 1;
      return translation;
    },
  };
  return counter;
}

describe(TranslationCache.name, () => {
  const cluster = translateBody('cluster', edsCluster('api').body);

  it('translates a content key once and answers later lookups from the cache', () => {
    const sut = new TranslationCache();
    const source = counted(cluster);

    const first = sut.translate('cluster:json:a', source.translate);
    const second = sut.translate('cluster:json:a', source.translate);

    expect(second).toBe(first);
    expect(source.calls).toBe(1);
    expect(sut.translated).toBe(1);
    expect(sut.has('cluster:json:a')).toBe(true);
  });

  it('evicts the least recently used translation once its bytes exceed the bound', () => {
    const size = translationSize(cluster);
    const sut = new TranslationCache({ maxBytes: 2 * size });
    const source = counted(cluster);
    sut.translate('cluster:json:a', source.translate);
    sut.translate('cluster:json:b', source.translate);
    sut.translate('cluster:json:a', source.translate);

    sut.translate('cluster:json:c', source.translate);

    expect(sut.recentKeys(5)).toEqual(['cluster:json:c', 'cluster:json:a']);
    expect(sut.has('cluster:json:a')).toBe(true);
    expect(sut.has('cluster:json:b')).toBe(false);
    expect(sut.has('cluster:json:c')).toBe(true);
    sut.translate('cluster:json:b', source.translate);
    expect(source.calls).toBe(4);
  });

  it('translates a config larger than the cache, reading only the bodies it lacks', async () => {
    const document = webConfig('api');
    const bodies = new Map<string, JsonObject>();
    const entries = XDS_RESOURCE_TYPES.flatMap((section) =>
      document.resources[section].map(({ name, body }) => {
        const contentKey = contentKeyOfBody(section, body);
        bodies.set(contentKey, body);
        return { section, name, contentKey };
      }),
    );
    const read: string[][] = [];
    const readBodies = (keys: readonly string[]) => {
      read.push([...keys]);
      return Promise.resolve(new Map([...bodies].filter(([key]) => keys.includes(key))));
    };
    const first = await translateEntries(entries, new TranslationCache(), readBodies);
    const resources = first.ok ? Object.values(first.resources).flat() : [];
    const bytes = resources.reduce((total, resource) => total + translationSize({ ok: true, resource }), 0);
    const sut = new TranslationCache({ maxBytes: Math.ceil(bytes / 2) });
    await translateEntries(entries, sut, readBodies);
    read.length = 0;

    const again = await translateEntries(entries, sut, readBodies);

    expect(again).toEqual(first);
    expect(read).toHaveLength(1);
    expect(read[0]?.length).toBeLessThan(entries.length);
  });

  it('keeps the issues of a body Envoy would refuse, so they are reported again without translating', async () => {
    const sut = new TranslationCache();
    const broken = configDocument({
      cluster: [{ name: 'api', labels: {}, body: { name: 'api', connect_timeout: 'soon' } }],
    });

    const first = await translateDocument(broken, sut);
    const second = await translateDocument(broken, sut);

    expect(second).toEqual(first);
    expect(first.ok).toBe(false);
    expect(sut.translated).toBe(1);
  });

  it('translates only the resources whose content changed between two documents', async () => {
    const sut = new TranslationCache();
    const before = webConfig('api');
    await translateDocument(before, sut);
    const translatedBefore = sut.translated;
    const after = configDocument({ ...before.resources, endpoint: [assignment('api', 9090)] });

    const translation = await translateDocument(after, sut);

    expect(translatedBefore).toBe(4);
    expect(sut.translated - translatedBefore).toBe(1);
    expect(JSON.stringify(translation.ok && translation.resources.endpoint[0]?.json)).toContain(
      '"port_value":9090',
    );
  });
});
