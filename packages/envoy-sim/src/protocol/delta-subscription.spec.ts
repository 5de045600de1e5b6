import { CLUSTER_TYPE, ENDPOINT_TYPE } from '../xds/xds-types';
import { DeltaSubscription } from './delta-subscription';

function lists(request: ReturnType<DeltaSubscription['request']>) {
  return {
    subscribe: request.resourceNamesSubscribe,
    unsubscribe: request.resourceNamesUnsubscribe,
    initial: request.initialResourceVersions,
  };
}

describe(DeltaSubscription.name, () => {
  it('opens a wildcard type with the legacy wildcard request and resumes it with * and its versions', () => {
    const sut = new DeltaSubscription(CLUSTER_TYPE);
    expect(lists(sut.request(undefined))).toEqual({ subscribe: [], unsubscribe: [], initial: {} });
    sut.accept(
      [
        { name: 'a', version: '1' },
        { name: 'b', version: '1' },
      ],
      [],
    );
    sut.accept([], ['b']);
    expect(sut.hasPendingRequest()).toBe(false);
    sut.resetStream();
    expect(sut.hasPendingRequest()).toBe(true);
    expect(lists(sut.request(undefined))).toEqual({ subscribe: ['*'], unsubscribe: [], initial: { a: '1' } });
  });

  it('sends only subscription changes on a stream, and everything on a new one', () => {
    const sut = new DeltaSubscription(ENDPOINT_TYPE);
    expect(sut.setNames(['x', 'y'])).toBe(true);
    expect(lists(sut.request(undefined))).toEqual({ subscribe: ['x', 'y'], unsubscribe: [], initial: {} });
    sut.accept([{ name: 'x', version: 'v1' }], []);
    expect(sut.setNames(['x', 'y'])).toBe(false);
    expect(sut.setNames(['x', 'z'])).toBe(true);
    expect(lists(sut.request(undefined))).toEqual({ subscribe: ['z'], unsubscribe: ['y'], initial: {} });
    sut.resetStream();
    // y is gone; z is still awaited, so it is subscribed without a version.
    expect(lists(sut.request(undefined))).toEqual({
      subscribe: ['x', 'z'],
      unsubscribe: [],
      initial: { x: 'v1' },
    });
  });

  it('waits again for a requested resource the server removed and leaves it out of initial versions', () => {
    const sut = new DeltaSubscription(ENDPOINT_TYPE);
    sut.setNames(['x']);
    sut.request(undefined);
    sut.accept([{ name: 'x', version: 'v1' }], []);
    sut.accept([], ['x']);
    expect(sut.versions()).toEqual(new Map());
    sut.resetStream();
    expect(lists(sut.request(undefined))).toEqual({ subscribe: ['x'], unsubscribe: [], initial: {} });
  });

  it('carries the nonce and error detail of an ACK or NACK', () => {
    const sut = new DeltaSubscription(ENDPOINT_TYPE);
    const request = sut.request(undefined, {
      nonce: 'n1',
      errorDetail: { code: 13, message: 'bad', details: [] },
    });
    expect(request).toMatchObject({ responseNonce: 'n1', errorDetail: { code: 13, message: 'bad' } });
  });
});
