import { type BindingCandidate, chooseBinding, type ProxyPlacement } from './config-binding.entity';

const placement: ProxyPlacement = { proxyId: 'p1', labels: { env: 'prod' }, groups: ['edge-eu', 'edge'] };

const binding = (id: string, fields: Partial<BindingCandidate>): BindingCandidate => ({
  id,
  mode: 'group',
  proxyId: null,
  groupId: null,
  labelSelector: null,
  configId: `config-${id}`,
  templateId: null,
  parentProxyId: null,
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

  it('ignores bindings for other proxies, other groups, unmatched selectors, and incomplete bindings', () => {
    const bindings = [
      binding('other-proxy', { mode: 'instance', proxyId: 'p2' }),
      binding('other-group', { groupId: 'core' }),
      binding('staging', { mode: 'label_selector', labelSelector: { matchLabels: { env: 'staging' } } }),
      binding('other-template', { mode: 'template', proxyId: 'p2', configId: null, templateId: 't' }),
      binding('other-parent', { mode: 'inherit', proxyId: 'p2', configId: null, parentProxyId: 'p1' }),
      binding('no-template', { mode: 'template', proxyId: 'p1', configId: null }),
      binding('no-parent', { mode: 'inherit', proxyId: 'p1', configId: null }),
      binding('no-config', { mode: 'instance', proxyId: 'p1', configId: null }),
    ];

    expect(chooseBinding(placement, bindings)).toBeUndefined();
  });

  describe('with templates and inheritance', () => {
    const template = (id: string, target: Partial<BindingCandidate>, priority = 0) =>
      binding(id, { mode: 'template', configId: null, templateId: `template-${id}`, priority, ...target });
    const inherit = binding('inherit', {
      mode: 'inherit',
      proxyId: 'p1',
      configId: null,
      parentProxyId: 'p0',
    });
    const forProxy = template('t-proxy', { proxyId: 'p1' }, 99);
    const forGroup = template('t-group', { groupId: 'edge-eu' }, 99);
    const forRoot = template('t-root', { groupId: 'edge' }, 99);
    const forLabels = template('t-label', { labelSelector: { matchLabels: { env: 'prod' } } }, 99);

    it('orders instance > inherit > template on the proxy itself, whatever their priority', () => {
      expect(chooseBinding(placement, [forProxy, inherit, byInstance])?.id).toBe('instance');
      expect(chooseBinding(placement, [forProxy, inherit])?.id).toBe('inherit');
      expect(chooseBinding(placement, [forProxy, byGroup, byLabel])?.id).toBe('t-proxy');
    });

    it('ranks a template by its target: a nearer group beats it, and it beats a farther group', () => {
      expect(chooseBinding(placement, [forGroup, byGroup])?.id).toBe('group');
      expect(chooseBinding(placement, [forGroup, byRootGroup, byLabel])?.id).toBe('t-group');
      expect(chooseBinding(placement, [forRoot, forLabels, byLabel])?.id).toBe('t-root');
      expect(chooseBinding(placement, [forLabels, byLabel])?.id).toBe('label');
      expect(chooseBinding(placement, [forLabels])?.id).toBe('t-label');
    });

    it('breaks a tie between templates on one target by priority', () => {
      const lower = template('t-lower', { groupId: 'edge-eu' }, 1);

      expect(chooseBinding(placement, [lower, forGroup])?.id).toBe('t-group');
    });
  });
});
