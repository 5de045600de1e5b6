import { type AttemptResult, judgeAttempt } from './attempt-verdict';

const now = new Date('2026-11-25T10:00:00Z');
const context = {
  attempt: 1,
  maxAttempts: 5,
  schedule: { baseMs: 1_000, maxMs: 60_000 },
  now,
  random: () => 0,
};
const response = (status: number, retryAfter?: string): AttemptResult => ({
  kind: 'response',
  status,
  body: '',
  retryAfter,
});

describe(judgeAttempt.name, () => {
  it.each([200, 201, 202, 204, 299])('counts %i as delivered', (status) => {
    expect(judgeAttempt(response(status), context)).toEqual({ status: 'succeeded' });
  });

  it.each([500, 502, 503, 504, 408, 425, 429])('retries %i after the backoff', (status) => {
    expect(judgeAttempt(response(status), { ...context, attempt: 3 })).toEqual({
      status: 'failed',
      error: `the receiver answered ${status}`,
      retryInMs: 2_000,
    });
  });

  it('retries a network error or a timeout', () => {
    const error: AttemptResult = { kind: 'error', error: 'connect ECONNREFUSED 127.0.0.1:9', refused: false };

    expect(judgeAttempt(error, context)).toEqual({
      status: 'failed',
      error: 'connect ECONNREFUSED 127.0.0.1:9',
      retryInMs: 500,
    });
  });

  it.each([400, 401, 403, 404, 410, 422])('dead-letters %i at once', (status) => {
    expect(judgeAttempt(response(status), context)).toEqual({
      status: 'dead_lettered',
      error: `the receiver answered ${status}; not retried (a 4xx other than 408, 425 and 429 refuses the request itself)`,
    });
  });

  it('dead-letters a redirect and a refused target at once', () => {
    expect(judgeAttempt(response(301), context)).toEqual({
      status: 'dead_lettered',
      error:
        'the receiver answered 301; not retried (redirects are not followed: point the subscription at the final URL)',
    });
    expect(
      judgeAttempt({ kind: 'error', error: 'refused to deliver to 169.254.169.254', refused: true }, context),
    ).toEqual({ status: 'dead_lettered', error: 'refused to deliver to 169.254.169.254' });
  });

  it('dead-letters the last attempt the subscription allows', () => {
    expect(judgeAttempt(response(503), { ...context, attempt: 5 })).toEqual({
      status: 'dead_lettered',
      error: 'the receiver answered 503; gave up after 5 of 5 attempts',
    });
    expect(judgeAttempt(response(503), { ...context, attempt: 7 })).toMatchObject({
      status: 'dead_lettered',
    });
  });

  it("waits as long as a 429's or 503's Retry-After asks when that is longer, up to the maximum", () => {
    expect(judgeAttempt(response(429, '30'), context)).toMatchObject({ retryInMs: 30_000 });
    expect(judgeAttempt(response(503, 'Wed, 25 Nov 2026 10:00:45 GMT'), context)).toMatchObject({
      retryInMs: 45_000,
    });
    expect(judgeAttempt(response(429, '0'), context)).toMatchObject({ retryInMs: 500 });
    expect(judgeAttempt(response(429, '86400'), context)).toMatchObject({ retryInMs: 60_000 });
    expect(judgeAttempt(response(500, '30'), context)).toMatchObject({ retryInMs: 500 });
  });
});
