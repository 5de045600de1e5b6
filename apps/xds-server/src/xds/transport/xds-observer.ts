import type { NackDetail } from '../protocol/snapshot-view';

/** Who a stream serves, once its node is admitted. */
export interface ProxyInfo {
  readonly nodeId: string;
  readonly tenantId: string | undefined;
  readonly servingKey: string;
  /** Admitted by XDS_AUTO_REGISTER rather than by a `proxy:` pointer. */
  readonly autoRegistered: boolean;
}

/** A discovery response as written to a stream. */
export interface SentResponse {
  readonly typeUrl: string;
  /** SotW `version_info`; delta `system_version_info`. The ACK or NACK of the response reports it too. */
  readonly version: string;
  readonly nonce: string;
  /** Size of the serialized message. */
  readonly bytes: number;
}

/**
 * What streams report, for events and metrics (go-control-plane's callbacks): one interface, several
 * observers. Observers must not throw and must not block: they run on the stream's path.
 */
export interface XdsObserver {
  streamOpened(): void;
  streamClosed(): void;
  proxyConnected(proxy: ProxyInfo): void;
  proxyDisconnected(proxy: ProxyInfo): void;
  responseSent(proxy: ProxyInfo, response: SentResponse): void;
  /** `latencyMs`: from taking the response for writing to receiving its ACK. */
  ackReceived(proxy: ProxyInfo, typeUrl: string, version: string, nonce: string, latencyMs: number): void;
  nackReceived(proxy: ProxyInfo, typeUrl: string, detail: NackDetail, latencyMs: number): void;
}

/** Fans every report out to each observer. */
export function combineObservers(observers: readonly XdsObserver[]): XdsObserver {
  return {
    streamOpened: () => observers.forEach((observer) => observer.streamOpened()),
    streamClosed: () => observers.forEach((observer) => observer.streamClosed()),
    proxyConnected: (proxy) => observers.forEach((observer) => observer.proxyConnected(proxy)),
    proxyDisconnected: (proxy) => observers.forEach((observer) => observer.proxyDisconnected(proxy)),
    responseSent: (proxy, response) =>
      observers.forEach((observer) => observer.responseSent(proxy, response)),
    ackReceived: (proxy, typeUrl, version, nonce, latencyMs) =>
      observers.forEach((observer) => observer.ackReceived(proxy, typeUrl, version, nonce, latencyMs)),
    nackReceived: (proxy, typeUrl, detail, latencyMs) =>
      observers.forEach((observer) => observer.nackReceived(proxy, typeUrl, detail, latencyMs)),
  };
}
