import { formatActor } from './audit-log.entity';

describe(formatActor.name, () => {
  it('prefixes the actor kind', () => {
    expect(formatActor({ kind: 'user', userId: 'u-1' })).toBe('user:u-1');
    expect(formatActor({ kind: 'system', component: 'fleet-manager' })).toBe('system:fleet-manager');
  });
});
