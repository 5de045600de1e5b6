import type { XdsMode } from '@envoy-fleet/envoy-sim';

/** What the orchestrator tells the fleet worker (a child process running a SimFleet). */
export type ToWorker =
  | {
      readonly type: 'start';
      readonly count: number;
      readonly groups: number;
      readonly xdsPort: number;
      readonly mode: XdsMode;
      readonly streamsPerChannel: number;
      readonly timeoutMs: number;
    }
  | {
      /** Watch for the ACKs of these versions (per group, type URL → version) from every proxy. */
      readonly type: 'expect';
      readonly versions: readonly Readonly<Record<string, string>>[];
      readonly timeoutMs: number;
    }
  | { readonly type: 'stop' };

export type FromWorker =
  /** Every proxy is LIVE; `elapsedMs` from starting the fleet. */
  | { readonly type: 'live'; readonly elapsedMs: number; readonly live: number; readonly nacks: number }
  | { readonly type: 'armed' }
  /** Per proxy that converged: epoch ms at which it sent the last ACK the change needed. */
  | {
      readonly type: 'converged';
      readonly ackedAt: readonly number[];
      readonly missing: number;
      /** A few proxies that did not converge, with what they hold. */
      readonly stuck: readonly string[];
      readonly nacks: number;
    }
  | { readonly type: 'failed'; readonly message: string };

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
