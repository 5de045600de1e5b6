import { firstUnsettledSequence, supportsMultipleFilters } from './consumer-provisioning';

describe(firstUnsettledSequence.name, () => {
  const sequences = (ackFloor: number, delivered: number) => ({
    ack_floor: { stream_seq: ackFloor },
    delivered: { stream_seq: delivered },
  });

  it('resumes after the last delivery when nothing is outstanding', () => {
    expect(firstUnsettledSequence({ num_ack_pending: 0, ...sequences(0, 5) })).toBe(6);
  });

  it('resumes after the acknowledgement floor when deliveries are outstanding', () => {
    expect(firstUnsettledSequence({ num_ack_pending: 2, ...sequences(7, 12) })).toBe(8);
  });
});

describe(supportsMultipleFilters.name, () => {
  it.each([
    ['2.9.10', false],
    ['2.10.0', true],
    ['2.11.3', true],
    ['3.0.0', true],
    [undefined, false],
    ['unknown', false],
  ])('%s: %s', (version, expected) => {
    expect(supportsMultipleFilters(version)).toBe(expected);
  });
});
