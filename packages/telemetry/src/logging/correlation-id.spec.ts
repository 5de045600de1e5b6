import { correlationIdFrom } from './correlation-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe(correlationIdFrom.name, () => {
  it("takes the caller's x-request-id", () => {
    expect(correlationIdFrom({ 'x-request-id': 'req-42', traceparent: TRACEPARENT })).toBe('req-42');
  });

  it('takes the trace id of the traceparent when there is no x-request-id', () => {
    expect(correlationIdFrom({ traceparent: TRACEPARENT })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('generates a UUID when the request carries neither', () => {
    expect(correlationIdFrom({})).toMatch(UUID);
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['with spaces or line breaks', 'forged\n{"level":"fatal"}'],
    ['empty', ''],
  ])('ignores an x-request-id that is %s', (_, requestId) => {
    expect(correlationIdFrom({ 'x-request-id': requestId, traceparent: TRACEPARENT })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('ignores a malformed traceparent and the all-zero trace id', () => {
    expect(correlationIdFrom({ traceparent: 'garbage' })).toMatch(UUID);
    expect(correlationIdFrom({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toMatch(UUID);
  });
});
