import { TYPE_URLS } from '@envoy-fleet/xds';
import {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  parseXdsType,
  ROUTE_TYPE,
  SECRET_TYPE,
} from './xds-types';

describe('xds-types', () => {
  it('uses the codec type URLs', () => {
    expect([CLUSTER_TYPE, ENDPOINT_TYPE, LISTENER_TYPE, ROUTE_TYPE, SECRET_TYPE]).toEqual([
      TYPE_URLS.cluster,
      TYPE_URLS.endpoint,
      TYPE_URLS.listener,
      TYPE_URLS.route,
      TYPE_URLS.secret,
    ]);
  });

  it('parses short names, kinds and type URLs', () => {
    expect(parseXdsType('lds')).toBe(LISTENER_TYPE);
    expect(parseXdsType('Cluster')).toBe(CLUSTER_TYPE);
    expect(parseXdsType(SECRET_TYPE)).toBe(SECRET_TYPE);
    expect(() => parseXdsType('vhds')).toThrow('unknown xDS type "vhds"');
  });
});
