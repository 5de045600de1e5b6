import type { DeltaDiscoveryRequest, DiscoveryRequest } from '@envoy-fleet/proto/xds';
import { type DeltaRequest, type DeltaResponse, DeltaStream } from '../protocol/delta-stream';
import { type SotwRequest, type SotwResponse, SotwStream } from '../protocol/sotw-stream';
import type { ProtocolVariant } from './stream-session';

function errorDetailOf(request: DiscoveryRequest | DeltaDiscoveryRequest): SotwRequest['errorDetail'] {
  return request.errorDetail === undefined
    ? undefined
    : { code: request.errorDetail.code, message: request.errorDetail.message };
}

export const SOTW: ProtocolVariant<DiscoveryRequest, SotwRequest, SotwResponse> = {
  createProtocol: (nextNonce) => new SotwStream(nextNonce),
  toRequest: (raw, typeUrl) => ({
    typeUrl,
    versionInfo: raw.versionInfo,
    resourceNames: raw.resourceNames,
    responseNonce: raw.responseNonce,
    errorDetail: errorDetailOf(raw),
  }),
  encode: (encoder, response, bytes) => encoder.sotw(response, bytes),
  versionOf: (response) => response.version,
};

export const DELTA: ProtocolVariant<DeltaDiscoveryRequest, DeltaRequest, DeltaResponse> = {
  createProtocol: (nextNonce) => new DeltaStream(nextNonce),
  toRequest: (raw, typeUrl) => ({
    typeUrl,
    subscribe: raw.resourceNamesSubscribe,
    unsubscribe: raw.resourceNamesUnsubscribe,
    initialResourceVersions: new Map(Object.entries(raw.initialResourceVersions)),
    responseNonce: raw.responseNonce,
    errorDetail: errorDetailOf(raw),
  }),
  encode: (encoder, response, bytes) => encoder.delta(response, bytes),
  versionOf: (response) => response.systemVersion,
};
