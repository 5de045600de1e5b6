import type { RequestOutcome, SnapshotView, TypeStatus } from './snapshot-view';

/** What the transport needs of a protocol state machine ({@link SotwStream} or {@link DeltaStream}). */
export interface StreamProtocol<
  Request,
  Response extends { readonly typeUrl: string; readonly nonce: string },
> {
  setSnapshot(view: SnapshotView): void;
  handleRequest(request: Request): RequestOutcome;
  nextResponse(): Response | undefined;
  status(): TypeStatus[];
}
