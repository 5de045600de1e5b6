import {
  type ConfigDocument,
  canonicalJson,
  configDocumentHashInput,
  emptyConfigDocument,
  validateConfigDocument,
} from './config-document.value';

const cluster = (name: string, connectTimeout = '5s') => ({
  name,
  labels: {},
  body: { name, connect_timeout: connectTimeout, type: 'EDS' },
});

describe(configDocumentHashInput.name, () => {
  it('does not depend on resource order or key order', () => {
    const a: ConfigDocument = {
      resources: { ...emptyConfigDocument().resources, cluster: [cluster('a'), cluster('b')] },
    };
    const b: ConfigDocument = {
      resources: {
        secret: [],
        endpoint: [],
        cluster: [
          { body: { type: 'EDS', connect_timeout: '5s', name: 'b' }, labels: {}, name: 'b' },
          cluster('a'),
        ],
        route_config: [],
        listener: [],
      },
    };
    expect(configDocumentHashInput(a)).toBe(configDocumentHashInput(b));
  });

  it('changes when any value changes', () => {
    const base = { resources: { ...emptyConfigDocument().resources, cluster: [cluster('a')] } };
    const changed = { resources: { ...emptyConfigDocument().resources, cluster: [cluster('a', '6s')] } };
    expect(configDocumentHashInput(base)).not.toBe(configDocumentHashInput(changed));
  });

  it('keeps array order inside resource bodies, where order is meaningful to Envoy', () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":[2,1]}');
  });
});

describe(validateConfigDocument.name, () => {
  it('reports empty and duplicate names with their path', () => {
    const document: ConfigDocument = {
      resources: { ...emptyConfigDocument().resources, listener: [cluster('l'), cluster('l'), cluster('')] },
    };
    expect(validateConfigDocument(document)).toEqual([
      { path: 'resources.listener[1].name', message: 'duplicate listener name "l"' },
      { path: 'resources.listener[2].name', message: 'must be 1-255 characters' },
    ]);
  });

  it('allows the same name under different types', () => {
    const document: ConfigDocument = {
      resources: {
        ...emptyConfigDocument().resources,
        cluster: [cluster('svc')],
        endpoint: [cluster('svc')],
      },
    };
    expect(validateConfigDocument(document)).toEqual([]);
  });
});
