import {
  configBindingColumns,
  configBindingView,
  configBindingWriteOf,
  configBindingWriteSchema,
} from './config-binding.dto';
import type { ConfigBindingEntity } from '@envoy-fleet/db';

const ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const OTHER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe(configBindingColumns.name, () => {
  it('fills only the columns of the binding’s mode', () => {
    const write = configBindingWriteSchema.parse({
      mode: 'template',
      templateId: ID,
      selector: { matchLabels: { tier: 'edge' } },
    });

    expect(configBindingColumns(write)).toEqual({
      mode: 'template',
      proxyId: null,
      groupId: null,
      labelSelector: { matchLabels: { tier: 'edge' } },
      configId: null,
      templateId: ID,
      parameters: {},
      parentProxyId: null,
      overrides: null,
      priority: 0,
    });
  });
});

describe(configBindingWriteOf.name, () => {
  it('gives back, for a stored binding, a write that parses to the same columns', () => {
    const write = configBindingWriteSchema.parse({
      mode: 'inherit',
      proxyId: ID,
      parentProxyId: OTHER,
      overrides: [{ resourceType: 'cluster', name: 'api', patch: { connect_timeout: '5s' } }],
      priority: 3,
    });
    const stored = {
      ...configBindingColumns(write),
      id: ID,
      version: 1,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    } as ConfigBindingEntity;

    const again = configBindingWriteSchema.parse(configBindingWriteOf(configBindingView(stored)));

    expect(configBindingColumns(again)).toEqual(configBindingColumns(write));
  });
});
