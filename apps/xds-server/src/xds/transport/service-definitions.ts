import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import {
  AggregatedDiscoveryServiceService,
  ClusterDiscoveryServiceService,
  EndpointDiscoveryServiceService,
  ListenerDiscoveryServiceService,
  RouteDiscoveryServiceService,
  SecretDiscoveryServiceService,
} from '@envoy-fleet/proto/xds';
import { TYPE_URLS } from '@envoy-fleet/xds';

interface GeneratedMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: never) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

/** Responses are assembled as bytes by the ResponseEncoder: the method writes them as they are. */
const passThrough = (bytes: Buffer): Buffer => bytes;

/**
 * The streaming methods of a generated service, with responses serialized by identity: the generated
 * definition encodes a DiscoveryResponse object per stream, this one writes bytes encoded once and shared.
 * Unary `Fetch*` methods (REST polling) are left out; grpc-js answers them UNIMPLEMENTED.
 */
function streamingWithEncodedResponses(service: Record<string, GeneratedMethod>): ServiceDefinition {
  const methods: Record<string, MethodDefinition<unknown, Buffer>> = {};
  for (const [name, method] of Object.entries(service)) {
    if (!method.requestStream || !method.responseStream) continue;
    methods[name] = {
      path: method.path,
      requestStream: true,
      responseStream: true,
      requestSerialize: method.requestSerialize as (value: unknown) => Buffer,
      requestDeserialize: method.requestDeserialize,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    };
  }
  return methods;
}

export const ADS_SERVICE = streamingWithEncodedResponses(AggregatedDiscoveryServiceService);

/** The single-type services and the type each one serves. */
export const SINGLE_TYPE_SERVICES: readonly {
  readonly definition: ServiceDefinition;
  readonly typeUrl: string;
}[] = [
  { definition: streamingWithEncodedResponses(ListenerDiscoveryServiceService), typeUrl: TYPE_URLS.listener },
  { definition: streamingWithEncodedResponses(RouteDiscoveryServiceService), typeUrl: TYPE_URLS.route },
  { definition: streamingWithEncodedResponses(ClusterDiscoveryServiceService), typeUrl: TYPE_URLS.cluster },
  { definition: streamingWithEncodedResponses(EndpointDiscoveryServiceService), typeUrl: TYPE_URLS.endpoint },
  { definition: streamingWithEncodedResponses(SecretDiscoveryServiceService), typeUrl: TYPE_URLS.secret },
];
