import {
  type ConfigDocument,
  type ConfigDocumentResource,
  emptyConfigDocument,
  type JsonObject,
} from '@envoy-fleet/domain';
import {
  edsCluster,
  endpoints,
  httpListener,
  routeConfiguration,
  tlsSecret,
} from '../../../test/fixtures/proxy-configs';
import { UNRELATED_KEY } from '../../../test/fixtures/test-certificates';
import { decodeResources } from './resource-decoding';
import { validateSemantics } from './semantic-validation';

const resource = (name: string, body: Record<string, unknown>): ConfigDocumentResource => ({
  name,
  labels: {},
  body: body as JsonObject,
});

function document(
  parts: Partial<{ [K in keyof ConfigDocument['resources']]: ConfigDocumentResource[] }>,
): ConfigDocument {
  return { resources: { ...emptyConfigDocument().resources, ...parts } };
}

describe(validateSemantics.name, () => {
  const valid = document({
    listener: [resource('http', httpListener('http', 8080, 'edge_routes'))],
    route_config: [resource('edge_routes', routeConfiguration('edge_routes', 'api'))],
    cluster: [resource('api', edsCluster('api'))],
    endpoint: [resource('api', endpoints('api'))],
    secret: [resource('edge_cert', tlsSecret('edge_cert'))],
  });

  it('accepts a config whose references all resolve', () => {
    expect(validateSemantics(valid)).toEqual([]);
  });

  it('reports routes, listeners and endpoints that name what the config does not hold', () => {
    const sut = validateSemantics(
      document({
        listener: [resource('http', httpListener('http', 8080, 'missing_routes'))],
        route_config: [resource('edge_routes', routeConfiguration('edge_routes', 'missing_cluster'))],
        cluster: [resource('api', edsCluster('api'))],
        endpoint: [resource('gone', endpoints('gone'))],
      }),
    );

    expect(sut).toEqual([
      {
        path: 'spec.routes[0].virtual_hosts[0].routes[0].route.cluster',
        message: 'no cluster of this config is named "missing_cluster"',
      },
      {
        path: 'spec.routes[0].virtual_hosts[0].routes[1].route.cluster',
        message: 'no cluster of this config is named "missing_cluster"',
      },
      { path: 'spec.endpoints[0].cluster_name', message: 'no cluster of this config is named "gone"' },
      {
        path: 'spec.listeners[0].filter_chains[0].filters[0].typed_config.rds.route_config_name',
        message: 'no route configuration of this config is named "missing_routes"',
      },
    ]);
  });

  it('reports duplicate names within a type', () => {
    const sut = validateSemantics(
      document({ cluster: [resource('api', edsCluster('api')), resource('api', edsCluster('api'))] }),
    );

    expect(sut).toEqual([{ path: 'spec.clusters[1].name', message: 'duplicate cluster name "api"' }]);
  });

  it('reports two listeners on one port, unless their addresses differ', () => {
    const other = {
      ...httpListener('other', 8080, 'edge_routes'),
      address: { socket_address: { address: '127.0.0.1', port_value: 8080 } },
    };
    const elsewhere = {
      ...httpListener('elsewhere', 9090, 'edge_routes'),
      address: { socket_address: { address: '127.0.0.2', port_value: 9090 } },
    };
    const sibling = {
      ...httpListener('sibling', 9090, 'edge_routes'),
      address: { socket_address: { address: '127.0.0.3', port_value: 9090 } },
    };

    const sut = validateSemantics({
      resources: {
        ...valid.resources,
        listener: [
          ...valid.resources.listener,
          resource('other', other),
          resource('elsewhere', elsewhere),
          resource('sibling', sibling),
        ],
      },
    });

    expect(sut).toEqual([
      {
        path: 'spec.listeners[1].address.socket_address.port_value',
        message: 'port 8080 is already bound by spec.listeners[0]',
      },
    ]);
  });

  it('reports regexes RE2 does not accept (look-ahead) at their path', () => {
    const sut = validateSemantics({
      resources: {
        ...valid.resources,
        route_config: [resource('edge_routes', routeConfiguration('edge_routes', 'api', '^/(?=api)'))],
      },
    });

    expect(sut).toHaveLength(1);
    expect(sut[0]?.path).toBe('spec.routes[0].virtual_hosts[0].routes[0].match.safe_regex.regex');
    expect(sut[0]?.message).toMatch(/^not a valid RE2 regular expression/);
  });

  it('reports a certificate that does not match its key, and one that has expired', () => {
    const mismatched = validateSemantics({
      resources: {
        ...valid.resources,
        secret: [resource('edge_cert', tlsSecret('edge_cert', UNRELATED_KEY))],
      },
    });
    const expired = validateSemantics(valid, new Date('2200-01-01T00:00:00Z'));

    expect(mismatched).toEqual([
      {
        path: 'spec.secrets[0].tls_certificate.private_key',
        message: 'the private key does not match the certificate',
      },
    ]);
    expect(expired).toEqual([
      {
        path: 'spec.secrets[0].tls_certificate.certificate_chain',
        message: expect.stringMatching(/^the certificate expired on 21/) as unknown,
      },
    ]);
  });
});

describe(decodeResources.name, () => {
  it('stores resources in canonical proto-JSON whatever field style they were written in', () => {
    const sut = decodeResources({
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: 'edge', description: '', labels: {} },
      spec: {
        listeners: [],
        routes: [],
        clusters: [{ name: 'api', connectTimeout: '2.5s', type: 'STRICT_DNS' }],
        endpoints: [],
        secrets: [],
      },
    });

    expect(sut.issues).toEqual([]);
    expect(sut.document.resources.cluster).toEqual([
      { name: 'api', labels: {}, body: { name: 'api', type: 'STRICT_DNS', connect_timeout: '2.500s' } },
    ]);
  });

  it('reports schema problems at their path in the document', () => {
    const sut = decodeResources({
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: 'edge', description: '', labels: {} },
      spec: {
        listeners: [],
        routes: [],
        clusters: [{ name: 'a' }, { name: 'b' }, { name: 'c', connect_timeout: 'soon' }],
        endpoints: [{ endpoints: [] }],
        secrets: [],
      },
    });

    expect(sut.issues.map((issue) => issue.path)).toEqual([
      'spec.clusters[2].connect_timeout',
      'spec.endpoints[0].cluster_name',
    ]);
  });
});
