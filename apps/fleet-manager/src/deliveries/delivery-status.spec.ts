import { TYPE_URLS } from '@envoy-fleet/xds';
import {
  configVersionOfServingKey,
  resourceTypeOf,
  statusAfterAck,
  typeUrlOfResourceType,
} from './delivery-status';

describe(resourceTypeOf.name, () => {
  it('maps the five config types, and nothing else', () => {
    expect(resourceTypeOf(TYPE_URLS.route)).toBe('route_config');
    expect(resourceTypeOf(TYPE_URLS.endpoint)).toBe('endpoint');
    expect(resourceTypeOf(TYPE_URLS.virtual_host)).toBeUndefined();
    expect(resourceTypeOf('type.googleapis.com/unknown.Type')).toBeUndefined();
  });

  it('is the inverse of typeUrlOfResourceType', () => {
    for (const type of ['listener', 'route_config', 'cluster', 'endpoint', 'secret'] as const) {
      expect(resourceTypeOf(typeUrlOfResourceType(type))).toBe(type);
    }
  });
});

describe(statusAfterAck.name, () => {
  it('is SYNCED for the version served now, STALE for an older one', () => {
    expect(statusAfterAck('a1', 'a1')).toBe('SYNCED');
    expect(statusAfterAck('a1', 'b2')).toBe('STALE');
    expect(statusAfterAck('a1', undefined)).toBe('SYNCED');
  });
});

describe(configVersionOfServingKey.name, () => {
  it('reads the config version of a version snapshot only', () => {
    const id = '0b9d4f6e-5c1a-4e8e-9d55-2f1c3a4b5c6d';
    expect(configVersionOfServingKey(`t:8a1f2b3c-0000-4000-8000-000000000001:version:${id}`)).toBe(id);
    expect(configVersionOfServingKey('t:tenant:document:abc')).toBeUndefined();
    expect(configVersionOfServingKey(`t:tenant:version:${id}:port:10001`)).toBe(id);
    expect(configVersionOfServingKey(`t:tenant:version:${id}:extra`)).toBeUndefined();
    expect(configVersionOfServingKey(`t:tenant:document:abc:port:10001`)).toBeUndefined();
  });
});
