import { type Random, retryAfterMs, retryDelayMs, type RetrySchedule } from './retry-schedule';

/** What one attempt came to: the receiver's answer, or why there was none. */
export type AttemptResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      /** The start of the response body. */
      readonly body: string;
      readonly retryAfter: string | undefined;
    }
  | {
      readonly kind: 'error';
      readonly error: string;
      /** Refused by the target policy (scheme, address): not worth retrying. */
      readonly refused: boolean;
    };

/** The status the attempt's row is given, and for a failure whether and when the next attempt is due. */
export type AttemptVerdict =
  | { readonly status: 'succeeded' }
  | { readonly status: 'failed'; readonly error: string; readonly retryInMs: number }
  | { readonly status: 'dead_lettered'; readonly error: string };

export interface AttemptContext {
  /** 1 for the first attempt of the event to the subscription; replays continue the count. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly schedule: RetrySchedule;
  readonly now: Date;
  readonly random?: Random;
}

/** Answers a retry may turn into a success: timeouts, "too early", rate limits and server errors. */
const RETRIED_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 425, 429]);
/** Answers whose Retry-After is honoured. */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Decides what an attempt means for the delivery. A 2xx answer is a success. Timeouts, network errors,
 * 408, 425, 429 and 5xx are retried after the backoff schedule (or the receiver's Retry-After on 429
 * and 503, if longer; both capped at the schedule's maximum) until the subscription's attempts are
 * spent. Redirects and other 4xx answers are not retried: the receiver refused this request, and the
 * same bytes would be refused again; nor is a target the policy refuses. What is not retried is
 * dead-lettered; an operator can replay it once the receiver is fixed.
 */
export function judgeAttempt(result: AttemptResult, context: AttemptContext): AttemptVerdict {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
    return { status: 'succeeded' };
  }
  const failure = describeFailure(result);
  if (!failure.retryable) return { status: 'dead_lettered', error: failure.error };
  if (context.attempt >= context.maxAttempts) {
    return {
      status: 'dead_lettered',
      error: `${failure.error}; gave up after ${context.attempt} of ${context.maxAttempts} attempts`,
    };
  }
  const backoff = retryDelayMs(context.attempt, context.schedule, context.random);
  const asked =
    result.kind === 'response' && RETRY_AFTER_STATUSES.has(result.status)
      ? retryAfterMs(result.retryAfter, context.now)
      : null;
  return {
    status: 'failed',
    error: failure.error,
    retryInMs: Math.min(context.schedule.maxMs, Math.max(backoff, asked ?? 0)),
  };
}

function describeFailure(result: AttemptResult): { readonly error: string; readonly retryable: boolean } {
  if (result.kind === 'error') return { error: result.error, retryable: !result.refused };
  const { status } = result;
  if (status >= 500 || RETRIED_CLIENT_ERRORS.has(status)) {
    return { error: `the receiver answered ${status}`, retryable: true };
  }
  const why =
    status < 400
      ? 'redirects are not followed: point the subscription at the final URL'
      : 'a 4xx other than 408, 425 and 429 refuses the request itself';
  return { error: `the receiver answered ${status}; not retried (${why})`, retryable: false };
}
