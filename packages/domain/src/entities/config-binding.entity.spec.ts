import { type BindingCandidate, chooseBinding, type ProxyPlacement } from './config-binding.entity';

const placement: ProxyPlacement = { proxyId: 'p1', labels: { env: 'prod' }, groups: ['edge-eu', 'edge'] };

const binding = (id: string, fields: Partial<BindingCandidate>): BindingCandidate => ({
  id,
  mode: 'group',
  proxyId: null,
  groupId: null,
  labelSelector: null,
  configId: `config-${id}`,
  priority: 0,
  ...fields,
});

describe(chooseBinding.name, () => {
  const byLabel = binding('label', {
    mode: 'label_selector',
    labelSelector: { matchLabels: { env: 'prod' } },
    priority: 100,
  });
  const byRootGroup = binding('root', { groupId: 'edge', priority: 50 });
  const byGroup = binding('group', { groupId: 'edge-eu' });
  const byInstance = binding('instance', { mode: 'instance', proxyId: 'p1' });

  it('prefers the instance, then the nearest group, then a label selector, whatever their priority', () => {
    expect(chooseBinding(placement, [byLabel, byRootGroup, byGroup, byInstance])?.id).toBe('instance');
    expect(chooseBinding(placement, [byLabel, byRootGroup, byGroup])?.id).toBe('group');
    expect(chooseBinding(placement, [byLabel, byRootGroup])?.id).toBe('root');
    expect(chooseBinding(placement, [byLabel])?.id).toBe('label');
  });

  it('breaks a tie by priority', () => {
    const higher = binding('higher', { groupId: 'edge-eu', priority: 5 });

    expect(chooseBinding(placement, [byGroup, higher])?.id).toBe('higher');
  });

  it('breaks a tie of priority by the lower binding id', () => {
    const low = binding('a', { groupId: 'edge-eu', priority: 1 });
    const high = binding('b', { groupId: 'edge-eu', priority: 2 });
    const sameAsHigh = binding('c', { groupId: 'edge-eu', priority: 2 });

    expect(chooseBinding(placement, [low, sameAsHigh, high])?.id).toBe('b');
  });

  it('ignores bindings for other proxies, other groups, unmatched selectors, templates and inheritance', () => {
    const bindings = [
      binding('other-proxy', { mode: 'instance', proxyId: 'p2' }),
      binding('other-group', { groupId: 'core' }),
      binding('staging', { mode: 'label_selector', labelSelector: { matchLabels: { env: 'staging' } } }),
      binding('template', { mode: 'template', proxyId: 'p1', configId: null }),
      binding('inherit', { mode: 'inherit', proxyId: 'p1', configId: null }),
    ];

    expect(chooseBinding(placement, bindings)).toBeUndefined();
  });
});
