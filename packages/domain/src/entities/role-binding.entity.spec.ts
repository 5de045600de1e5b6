import { roleSatisfies } from './role-binding.entity';

describe(roleSatisfies.name, () => {
  it('orders viewer < operator < admin', () => {
    expect(roleSatisfies('admin', 'operator')).toBe(true);
    expect(roleSatisfies('operator', 'operator')).toBe(true);
    expect(roleSatisfies('viewer', 'operator')).toBe(false);
  });
});
