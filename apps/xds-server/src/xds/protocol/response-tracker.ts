import type { NackDetail, RequestOutcome } from './snapshot-view';

/** The last response of one type on one stream and what the client said about it. */
interface LastResponse {
  readonly nonce: string;
  readonly version: string;
  /** Whether it carried a resource the client did not hold before (it may subscribe to more because of it). */
  readonly added: boolean;
  state: 'pending' | 'acked' | 'nacked';
}

export interface AckInput {
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** The client's `version_info` (SotW) or '' (delta, where it has none). */
  readonly clientVersion: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

/**
 * Per type: the nonce of the last response and its ACK state. A request is an ACK or a NACK only when its
 * nonce is the last one sent (XP); `error_detail` decides which, never a version compare (envoy PR#14841).
 * The nonce is recorded when a response is taken for writing, before the write: the ACK may otherwise
 * arrive first (java-control-plane#70).
 */
export class ResponseTracker {
  private last: LastResponse | undefined;
  private acked = '';
  private nack: NackDetail | undefined;

  /** Whether a response was sent and is neither ACKed nor NACKed yet. */
  get awaitingAck(): boolean {
    return this.last?.state === 'pending';
  }

  /** Whether the last response was ACKed, or none was sent. */
  get settled(): boolean {
    return this.last === undefined || this.last.state === 'acked';
  }

  /** Whether the response awaiting its ACK gave the client new resources (ADS ordering, `resource-types.ts`). */
  get awaitingAckOfAdded(): boolean {
    return this.last?.state === 'pending' && this.last.added;
  }

  get sentAny(): boolean {
    return this.last !== undefined;
  }

  get nacked(): boolean {
    return this.last?.state === 'nacked';
  }

  get sentVersion(): string {
    return this.last?.version ?? '';
  }

  get ackedVersion(): string {
    return this.acked;
  }

  get lastNack(): NackDetail | undefined {
    return this.nack;
  }

  sent(nonce: string, version: string, added: boolean): void {
    this.last = { nonce, version, added, state: 'pending' };
  }

  /**
   * Classifies a request that is not the first one for its type on the stream. A request that repeats
   * the nonce of an answered response is a plain subscription update (a client may keep nonce and version
   * after unsubscribing and resubscribing, grpc-node#2875).
   */
  classify(request: AckInput): RequestOutcome {
    const last = this.last;
    if (request.responseNonce === '') return { kind: 'subscription' };
    if (last === undefined || request.responseNonce !== last.nonce) {
      return { kind: 'stale', nonce: request.responseNonce };
    }
    if (last.state !== 'pending') return { kind: 'subscription' };
    if (request.errorDetail) {
      last.state = 'nacked';
      this.nack = {
        nonce: last.nonce,
        version: request.clientVersion,
        rejectedVersion: last.version,
        errorCode: request.errorDetail.code,
        errorMessage: request.errorDetail.message,
      };
      return { kind: 'nack', typeUrl: request.typeUrl, detail: this.nack };
    }
    last.state = 'acked';
    this.acked = last.version;
    return { kind: 'ack', typeUrl: request.typeUrl, nonce: last.nonce, version: last.version };
  }
}
