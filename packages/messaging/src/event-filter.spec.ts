import { resolveEventFilter } from './event-filter';
import { SubjectNames } from './subject-names';

describe(resolveEventFilter.name, () => {
  const names = new SubjectNames('ns');

  it('turns listed types into their subjects', () => {
    const sut = resolveEventFilter(names, { types: ['config.updated', 'config.deleted', 'config.updated'] });

    expect(sut.subjects).toEqual(['ns.events.config.updated', 'ns.events.config.deleted']);
    expect(sut.accepts('config.deleted')).toBe(true);
    expect(sut.accepts('config.created')).toBe(false);
  });

  it('takes a wildcard subject filter of the catalogue', () => {
    const sut = resolveEventFilter(names, { subject: 'events.config.>' });

    expect(sut.subjects).toEqual(['ns.events.config.>']);
    expect(sut.accepts('config.version.created')).toBe(true);
    expect(sut.accepts('proxy.ack')).toBe(false);
  });

  it('refuses broadcast events, empty lists and subjects outside the durable events', () => {
    expect(() => resolveEventFilter(names, { types: ['snapshot.updated'] })).toThrow('is a broadcast event');
    expect(() => resolveEventFilter(names, { types: [] })).toThrow('at least one event type');
    expect(() => resolveEventFilter(names, { subject: 'broadcast.>' })).toThrow('must select durable events');
  });
});
