import {
  CLUSTER,
  CLUSTER_LOAD_ASSIGNMENT,
  LISTENER,
  ROUTE_CONFIGURATION,
  SECRET,
} from '../test/fixtures/resources';
import { valueAt, without, withValue } from '../test/json-edit';
import { toProtoFieldNames } from '../test/proto-field-names';
import { ProtobufjsOracle } from '../test/protobufjs-oracle';
import {
  decodeResource,
  encodeResource,
  type ParseResult,
  parseResource,
  parseResourceBytes,
} from './resource-codec';
import { type ResourceIssue, ResourceValidationError } from './resource-issue';
import { messageTypeOf, type ResourceKind, TYPE_URLS } from './type-urls';

const FIXTURES: readonly [ResourceKind, string, Record<string, unknown>][] = [
  ['listener', 'ingress_http', LISTENER],
  ['route', 'local_route', ROUTE_CONFIGURATION],
  ['cluster', 'api_v1', CLUSTER],
  ['endpoint', 'api_v1', CLUSTER_LOAD_ASSIGNMENT],
  ['secret', 'server_cert', SECRET],
];

const HCM = 'filter_chains[0].filters[0].typed_config';
const HCM_STEPS = ['filter_chains', 0, 'filters', 0, 'typed_config'];

function issuesOf(result: ParseResult): readonly ResourceIssue[] {
  if (result.ok) throw new Error('expected the resource to be rejected');
  return result.issues;
}

function encodingIssues(kind: ResourceKind, json: unknown): readonly ResourceIssue[] {
  try {
    encodeResource(kind, json);
  } catch (error) {
    if (error instanceof ResourceValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected encoding to fail');
}

describe('resource codec', () => {
  const oracle = new ProtobufjsOracle();

  describe.each(FIXTURES)('%s fixture', (kind, name, fixture) => {
    const bytes = encodeResource(kind, fixture);

    it('encodes to bytes that protobufjs decodes to the same values', () => {
      expect(oracle.decode(messageTypeOf(TYPE_URLS[kind]), bytes)).toEqual(toProtoFieldNames(fixture));
    });

    it('decodes to canonical JSON with proto field names', () => {
      expect(decodeResource(kind, bytes)).toEqual(toProtoFieldNames(fixture));
    });

    it('round-trips losslessly: json, bytes, json, identical bytes', () => {
      expect(encodeResource(kind, decodeResource(kind, bytes))).toEqual(bytes);
    });

    it('passes validation and names the resource', () => {
      const result = parseResource(TYPE_URLS[kind], fixture);

      expect(result).toMatchObject({ ok: true, typeUrl: TYPE_URLS[kind], name });
      expect(result.ok && result.bytes).toEqual(bytes);
    });
  });

  describe('JSON decoding errors', () => {
    it('rejects a wrong type with the full JSON path, inside Any', () => {
      const listener = withValue(LISTENER, [...HCM_STEPS, 'http_filters', 1, 'name'], 5);

      expect(encodingIssues('listener', listener)).toEqual([
        { path: `${HCM}.http_filters[1].name`, message: 'expected string, got 5' },
      ]);
    });

    it('rejects an unknown field with its path, naming the message', () => {
      const listener = withValue(LISTENER, ['address', 'socket_address', 'port'], 80);

      expect(encodingIssues('listener', listener)).toEqual([
        {
          path: 'address.socket_address.port',
          message: 'unknown field "port" in envoy.config.core.v3.SocketAddress',
        },
      ]);
    });

    it('reports every bad value, by proto field name even where the input was lowerCamelCase', () => {
      let listener = withValue(LISTENER, [...HCM_STEPS, 'streamIdleTimeout'], 'soon');
      listener = withValue(listener, [...HCM_STEPS, 'accessLog', 0, 'typedConfig', 'path'], ['/dev/stdout']);
      listener = withValue(listener, ['perConnectionBufferLimitBytes'], -1);

      expect(encodingIssues('listener', listener).map((issue) => issue.path)).toEqual([
        'per_connection_buffer_limit_bytes',
        `${HCM}.access_log[0].typed_config.path`,
        `${HCM}.stream_idle_timeout`,
      ]);
    });

    it('locates bad list items and map entries', () => {
      let route = withValue(ROUTE_CONFIGURATION, ['virtualHosts', 0, 'domains'], ['*', 7]);
      route = withValue(route, ['virtualHosts', 0, 'typed_per_filter_config'], {
        'envoy.filters.http.fault': 3,
      });

      expect(encodingIssues('route', route).map((issue) => issue.path)).toEqual([
        'virtual_hosts[0].domains[1]',
        'virtual_hosts[0].typed_per_filter_config["envoy.filters.http.fault"]',
      ]);
    });

    it('rejects an @type that is not in the Envoy API', () => {
      const listener = withValue(
        LISTENER,
        [...HCM_STEPS, 'http_filters', 1, 'typed_config', '@type'],
        'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope',
      );

      expect(encodingIssues('listener', listener)).toEqual([
        {
          path: `${HCM}.http_filters[1].typed_config["@type"]`,
          message:
            'unknown type "type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope": no such message in the Envoy API',
        },
      ]);
    });

    it('rejects two members of one oneof at the message that holds them', () => {
      const issues = encodingIssues('endpoint', {
        cluster_name: 'a',
        endpoints: [{ lb_endpoints: [{ endpoint: {}, endpoint_name: 'x' }] }],
      });

      expect(issues).toEqual([
        {
          path: 'endpoints[0].lb_endpoints[0]',
          message: expect.stringContaining('oneof set multiple times'),
        },
      ]);
    });

    it('rejects a resource that is not a JSON object', () => {
      expect(issuesOf(parseResource('cluster', []))).toEqual([
        { path: '', message: 'a resource must be a JSON object' },
      ]);
    });
  });

  describe('validate.rules', () => {
    it('rejects port_value 70000 with the path and the rule', () => {
      const listener = withValue(LISTENER, ['address', 'socket_address', 'port_value'], 70000);

      expect(issuesOf(parseResource('listener', listener))).toEqual([
        {
          path: 'address.socket_address.port_value',
          message: 'value must be less than or equal to 65535',
          rule: 'uint32.lte',
        },
      ]);
    });

    it('requires a cluster name and a positive connect timeout, reporting both', () => {
      const cluster = { ...CLUSTER, name: '', connectTimeout: '0s' };

      expect(issuesOf(parseResource('cluster', cluster))).toEqual([
        { path: 'name', message: 'value length must be at least 1 runes', rule: 'string.min_len' },
        { path: 'connect_timeout', message: 'value must be greater than 0s', rule: 'duration.gt' },
      ]);
    });

    it('requires a health check timeout (a missing required message field)', () => {
      const cluster = without(CLUSTER, ['health_checks', 0, 'timeout']);

      expect(issuesOf(parseResource('cluster', cluster))).toEqual([
        { path: 'health_checks[0].timeout', message: 'value is required', rule: 'duration.required' },
      ]);
    });

    it('requires one member of a required oneof', () => {
      const route = withValue(ROUTE_CONFIGURATION, ['virtualHosts', 0, 'routes', 1, 'match'], {});

      expect(issuesOf(parseResource('route', route))).toEqual([
        {
          path: 'virtual_hosts[0].routes[1].match',
          message: expect.stringMatching(
            /^one of prefix, path, safe_regex, .* is required \(oneof path_specifier\)$/,
          ),
          rule: 'oneof.required',
        },
      ]);
    });

    it('validates extensions inside Any: the fault filter and RBAC', () => {
      const filtersPath = [...HCM_STEPS, 'http_filters'];
      const [fault, router] = valueAt(LISTENER, filtersPath) as unknown[];
      const rbac = {
        name: 'envoy.filters.http.rbac',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
          rules: { action: 'DENY', policies: { blocked: { permissions: [], principals: [{ any: true }] } } },
        },
      };
      let listener = withValue(LISTENER, filtersPath, [fault, rbac, router]);
      listener = withValue(listener, [...filtersPath, 0, 'typed_config', 'abort', 'http_status'], 99);

      expect(issuesOf(parseResource('listener', listener))).toEqual([
        {
          path: `${HCM}.http_filters[0].typed_config.abort.http_status`,
          message: 'value must be inside range [200, 600)',
          rule: 'uint32.gte',
        },
        {
          path: `${HCM}.http_filters[1].typed_config.rules.policies.blocked.permissions`,
          message: 'value must contain at least 1 item(s)',
          rule: 'repeated.min_items',
        },
      ]);
    });

    it('checks well-known header rules and defined enum values', () => {
      const cluster = { ...CLUSTER, lb_policy: 42 };
      const route = {
        ...ROUTE_CONFIGURATION,
        request_headers_to_add: [{ header: { key: 'x-bad\nname', value: 'v' } }],
      };

      expect(issuesOf(parseResource('cluster', cluster))).toEqual([
        {
          path: 'lb_policy',
          message: 'value must be one of the defined enum values of envoy.config.cluster.v3.Cluster.LbPolicy',
          rule: 'enum.defined_only',
        },
      ]);
      expect(issuesOf(parseResource('route', route))).toEqual([
        {
          path: 'request_headers_to_add[0].header.key',
          message: expect.stringContaining('value does not match regex pattern'),
          rule: 'string.well_known_regex',
        },
      ]);
    });

    it('validates protobuf bytes the same way', () => {
      const listener = withValue(LISTENER, ['address', 'socket_address', 'port_value'], 70000);

      expect(issuesOf(parseResourceBytes('listener', encodeResource('listener', listener)))).toEqual([
        expect.objectContaining({ path: 'address.socket_address.port_value', rule: 'uint32.lte' }),
      ]);
      expect(issuesOf(parseResourceBytes('listener', Uint8Array.from([0xff])))).toEqual([
        { path: '', message: expect.stringContaining('invalid protobuf') },
      ]);
    });
  });

  it('refuses a type that is not in the Envoy API', () => {
    expect(() => encodeResource('type.googleapis.com/acme.Widget', {})).toThrow(
      'unknown resource type "type.googleapis.com/acme.Widget"',
    );
  });
});
