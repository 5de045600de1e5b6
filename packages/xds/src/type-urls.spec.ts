import {
  isResourceKind,
  kindOf,
  messageTypeOf,
  nameFieldOf,
  RESOURCE_KINDS,
  toTypeUrl,
  TYPE_URLS,
  typeUrlOf,
} from './type-urls';

describe('type URLs', () => {
  it('maps every kind to its type URL and back', () => {
    for (const kind of RESOURCE_KINDS) expect(kindOf(typeUrlOf(kind))).toBe(kind);
    expect(TYPE_URLS.endpoint).toBe('type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment');
    expect(TYPE_URLS.secret).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
  });

  it('knows no kind for other type URLs', () => {
    expect(kindOf('type.googleapis.com/envoy.extensions.filters.http.router.v3.Router')).toBeUndefined();
    expect(isResourceKind('router')).toBe(false);
  });

  it('accepts a kind or a type URL and extracts the message type', () => {
    expect(toTypeUrl('cluster')).toBe(TYPE_URLS.cluster);
    expect(toTypeUrl('type.googleapis.com/a.B')).toBe('type.googleapis.com/a.B');
    expect(messageTypeOf(TYPE_URLS.listener)).toBe('envoy.config.listener.v3.Listener');
  });

  it('names endpoints by cluster_name', () => {
    expect(nameFieldOf('endpoint')).toBe('cluster_name');
    expect(nameFieldOf('listener')).toBe('name');
  });
});
