import { randomUUID } from 'node:crypto';
import { type ConfigDocument, createEvent, type JsonObject } from '@envoy-fleet/domain';
import { silentLogger } from '@envoy-fleet/messaging';
import { decodeResource } from '@envoy-fleet/xds';
import { type SnapshotKind } from '../src/snapshots/config-translation';
import { EffectiveConfigRepository } from '../src/snapshots/effective-config.repository';
import { SnapshotBuilder } from '../src/snapshots/snapshot-builder';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

const TYPE_NAMES: { readonly [K in SnapshotKind]: string } = {
  cluster: 'Cluster',
  endpoint: 'ClusterLoadAssignment',
  listener: 'Listener',
  route: 'RouteConfiguration',
  secret: 'Secret',
};

const CLUSTER_MARK = 'cluster-parameter';
const PORT_MARK = 43210;

/** A ProxyConfig as clients write it, in JSON, from a config document. */
function proxyConfigText(name: string, document: ConfigDocument): string {
  const bodies = (type: keyof ConfigDocument['resources']) =>
    document.resources[type].map((resource) => resource.body);
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name },
      spec: {
        listeners: bodies('listener'),
        routes: bodies('route_config'),
        clusters: bodies('cluster'),
        endpoints: bodies('endpoint'),
      },
    },
    null,
    2,
  );
}

/** webConfig as a Handlebars template with parameters `cluster` and `port`. */
const WEB_TEMPLATE = proxyConfigText('web-{{cluster}}', webConfig(CLUSTER_MARK, PORT_MARK))
  .replaceAll(`"${CLUSTER_MARK}"`, '{{json cluster}}')
  .replaceAll(String(PORT_MARK), '{{port}}');

const WEB_PARAMETERS_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    cluster: { type: 'string', pattern: '^[a-z0-9-]+$' },
    port: { type: 'integer', minimum: 1024, maximum: 65535 },
  },
  required: ['cluster', 'port'],
  additionalProperties: false,
};

describe('assignment modes', () => {
  let services: SnapshotServices;
  let records: FleetRecords;
  let sut: SnapshotBuilder;
  let webTemplate: string;

  const pointerOf = async (nodeId: string): Promise<string | undefined> =>
    (await services.store.getPointers('proxy', [nodeId])).get(nodeId);
  const build = () => sut.execute({ tenantId: records.tenantId });

  /** The resources of one kind a proxy is served, by name, decoded. */
  const served = async (nodeId: string, kind: SnapshotKind): Promise<Record<string, JsonObject>> => {
    const manifest = await services.manifestOf(nodeId);
    const type = Object.entries(manifest?.types ?? {}).find(([typeUrl]) =>
      typeUrl.endsWith(`.${TYPE_NAMES[kind]}`),
    )?.[1];
    const entries = Object.entries(type?.resources ?? {});
    const blobs = await services.store.getBlobs(
      'res',
      entries.map(([, hash]) => hash),
    );
    return Object.fromEntries(
      entries.map(([name, hash]) => {
        const bytes = blobs.get(hash);
        if (bytes === undefined) throw new Error(`blob ${hash} of ${name} is missing`);
        return [name, decodeResource(kind, bytes)];
      }),
    );
  };
  const clusterNames = async (nodeId: string): Promise<string[]> =>
    Object.keys(await served(nodeId, 'cluster'));

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-assignment');
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    sut = new SnapshotBuilder({
      configs: new EffectiveConfigRepository(services.systemDataSource),
      store: services.store,
      events: services.bus,
      logger: silentLogger,
    });
    webTemplate = await records.template('web', WEB_TEMPLATE, WEB_PARAMETERS_SCHEMA);
  });

  afterAll(async () => {
    await services.dispose();
  });

  describe('template', () => {
    it('renders a template bound to a group with its parameters; proxies of one rendering share one snapshot', async () => {
      const shop = await records.group('shop');
      await records.proxy('shop-1', shop);
      await records.proxy('shop-2', shop);
      await records.bindTemplate({ groupId: shop }, webTemplate, { cluster: 'shop-api', port: 10080 });

      const report = await build();

      expect(report.rejected).toEqual([]);
      expect(report.published).toHaveLength(1);
      expect(await pointerOf('shop-1')).toBe(report.published[0]);
      expect(await pointerOf('shop-2')).toBe(report.published[0]);
      expect(await clusterNames('shop-1')).toEqual(['shop-api']);
      expect(await served('shop-1', 'listener')).toMatchObject({
        http: { address: { socket_address: { port_value: 10080 } } },
      });
    });

    it('renders per target: a template aimed at one proxy or at a label selector, with its own parameters', async () => {
      const lab = await records.group('template-lab');
      const solo = await records.proxy('solo-1', lab);
      await records.proxy('gold-1', lab, { tier: 'gold' });
      await records.bindTemplate({ proxyId: solo }, webTemplate, { cluster: 'solo-api', port: 10081 });
      await records.bindTemplate({ labelSelector: { matchLabels: { tier: 'gold' } } }, webTemplate, {
        cluster: 'gold-api',
        port: 10082,
      });

      await build();

      expect(await clusterNames('solo-1')).toEqual(['solo-api']);
      expect(await clusterNames('gold-1')).toEqual(['gold-api']);
    });

    it('marks a proxy whose parameters break the schema invalid, with the paths, and publishes nothing for it', async () => {
      const bad = await records.group('bad-parameters');
      await records.proxy('bad-1', bad);
      const binding = await records.bindTemplate({ groupId: bad }, webTemplate, {
        cluster: 'Not Valid',
        port: 80,
        extra: true,
      });

      const report = await build();

      expect(report.rejected).toEqual([
        {
          source: `template "web" (binding ${binding})`,
          nodeIds: ['bad-1'],
          issues: expect.arrayContaining([
            'parameters.cluster: must match pattern "^[a-z0-9-]+$"',
            'parameters.port: must be >= 1024',
            'parameters.extra: is not allowed',
          ]) as unknown,
        },
      ]);
      expect(report.published).toEqual([]);
      expect(await pointerOf('bad-1')).toBeUndefined();
      await records.unbind(binding);
    });

    it('keeps the last good snapshot when the template stops rendering, and serves the fixed template announced by template.changed', async () => {
      const before = await pointerOf('shop-1');
      const manifest = await services.manifestOf('shop-1');
      await records.updateTemplate(webTemplate, {
        body: WEB_TEMPLATE.replace('{{port}}', '{{listenerPort}}'),
      });

      const broken = await build();

      expect(broken.rejected).toEqual(
        expect.arrayContaining([
          {
            source: expect.stringMatching(/^template "web" \(binding /) as unknown,
            nodeIds: expect.arrayContaining(['shop-1', 'shop-2']) as unknown,
            issues: [expect.stringMatching(/^body: cannot render: "listenerPort" not defined/) as unknown],
          },
        ]),
      );
      expect(await pointerOf('shop-1')).toBe(before);
      expect(await services.manifestOf('shop-1')).toEqual(manifest);
      expect(await records.rejectionOf('shop-1')).toEqual({
        configRejection: {
          source: expect.stringMatching(/^template "web" \(binding /) as unknown,
          issues: [expect.stringMatching(/^body: cannot render: "listenerPort" not defined/)],
        },
        configRejectedAt: expect.any(Date) as unknown,
      });

      await records.updateTemplate(webTemplate, {
        body: WEB_TEMPLATE.replace('"connect_timeout": "1s"', '"connect_timeout": "2s"'),
      });
      const consumer = await services.consumeTriggers(sut);
      let announce: (servingKeys: string[]) => void = () => undefined;
      const announced = new Promise<string[]>((resolve) => (announce = resolve));
      const listening = await services.bus.subscribe('snapshot.updated', (event) => {
        announce(event.payload.servingKeys);
        return Promise.resolve();
      });
      await services.bus.publish(
        createEvent('template.changed', {
          id: randomUUID(),
          tenantId: records.tenantId,
          aggregateId: webTemplate,
          payload: { templateId: webTemplate, name: 'web', change: 'updated' },
        }),
      );
      const servingKeys = await announced;
      await listening.stop();
      await consumer.stop();

      const after = await pointerOf('shop-1');
      expect(after).not.toBe(before);
      expect(servingKeys).toEqual(expect.arrayContaining([after, before]));
      expect(await served('shop-1', 'cluster')).toMatchObject({ 'shop-api': { connect_timeout: '2s' } });
      expect(await records.rejectionOf('shop-1')).toEqual({ configRejection: null, configRejectedAt: null });
    });
  });

  describe('inherit', () => {
    let base: string;
    let parent: string;

    beforeAll(async () => {
      base = await records.group('inherit-base');
      parent = await records.proxy('parent-1', base);
      const config = await records.config('inherited');
      await records.version(config, webConfig('origin'));
      await records.bindInstance(parent, config);
    });

    it("serves the parent's snapshot itself to a proxy that inherits without overrides", async () => {
      const twin = await records.proxy('twin-1', await records.group('inherit-twins'));
      await records.bindInherit(twin, parent);

      await build();

      expect(await pointerOf('twin-1')).toBe(await pointerOf('parent-1'));
    });

    it("merge-patches the parent's resources with the overrides, adds resources, and follows chains", async () => {
      const children = await records.group('inherit-children');
      const child = await records.proxy('child-1', children);
      const grandchild = await records.proxy('grandchild-1', children);
      await records.bindInherit(child, parent, [
        { resourceType: 'cluster', name: 'origin', patch: { connect_timeout: '5s' } },
        {
          resourceType: 'listener',
          name: 'http',
          patch: { address: { socket_address: { port_value: 10090 } } },
        },
      ]);
      await records.bindInherit(grandchild, child, [
        {
          resourceType: 'cluster',
          name: 'extra',
          patch: { name: 'extra', type: 'STATIC', connect_timeout: '1s' },
        },
      ]);

      const report = await build();

      expect(report.rejected).toEqual([]);
      expect(await served('child-1', 'cluster')).toMatchObject({ origin: { connect_timeout: '5s' } });
      expect(await served('child-1', 'listener')).toMatchObject({
        http: { address: { socket_address: { address: '0.0.0.0', port_value: 10090 } } },
      });
      expect(await served('parent-1', 'cluster')).toMatchObject({ origin: { connect_timeout: '1s' } });
      expect(await served('grandchild-1', 'cluster')).toMatchObject({
        origin: { connect_timeout: '5s' },
        extra: { type: 'STATIC' },
      });
    });

    it('rejects every proxy on an inheritance cycle with the loop, and a proxy inheriting from one', async () => {
      const loop = await records.group('inherit-loop');
      const a = await records.proxy('loop-a', loop);
      const b = await records.proxy('loop-b', loop);
      const c = await records.proxy('loop-c', loop);
      await records.bindInherit(a, b);
      await records.bindInherit(b, a);
      await records.bindInherit(c, a);

      const report = await build();

      const rejectedOf = (nodeId: string) => report.rejected.find((entry) => entry.nodeIds.includes(nodeId));
      expect(rejectedOf('loop-a')?.issues).toEqual(
        expect.arrayContaining([expect.stringMatching(/^inheritance cycle: loop-(a|b) inherits from loop-/)]),
      );
      expect(rejectedOf('loop-b')?.issues).toEqual(
        expect.arrayContaining([expect.stringMatching(/^inheritance cycle: /)]),
      );
      expect(rejectedOf('loop-c')?.issues[0]).toMatch(
        /^proxy loop-a has no valid config \(inheritance from proxy loop-b/,
      );
      for (const nodeId of ['loop-a', 'loop-b', 'loop-c']) expect(await pointerOf(nodeId)).toBeUndefined();
    });

    it('rejects an override of an unknown resource type and an inherited config that fails the consistency checks', async () => {
      const odd = await records.group('inherit-odd');
      const typo = await records.proxy('typo-1', odd);
      const broken = await records.proxy('broken-1', odd);
      const typoBinding = await records.bindInherit(typo, parent, [
        { resourceType: 'clusters' as 'cluster', name: 'origin', patch: {} },
      ]);
      await records.bindInherit(broken, parent, [
        { resourceType: 'route_config', name: 'web', patch: { name: 'renamed' } },
      ]);

      const report = await build();

      expect(report.rejected).toEqual(
        expect.arrayContaining([
          {
            source: `inheritance from proxy parent-1 (binding ${typoBinding})`,
            nodeIds: ['typo-1'],
            issues: ['overrides[0].resourceType: must be an xDS resource type'],
          },
          {
            source: expect.stringMatching(
              /^inheritance from proxy parent-1 .*, over config .* version 1$/,
            ) as unknown,
            nodeIds: ['broken-1'],
            issues: ['route_config "web": the body names it "renamed"'],
          },
        ]),
      );
    });
  });

  it('follows the precedence instance > inherit > template on the proxy > nearest group (group > template) > farther group > label selector (label_selector > template)', async () => {
    const root = await records.group('precedence-root');
    const child = await records.group('precedence-child', root);
    const target = await records.proxy('target-1', child, { ring: 'canary' });
    const source = await records.proxy('source-1', await records.group('precedence-source'));
    const configOf = async (name: string) => {
      const config = await records.config(name);
      return { config, version: await records.version(config, webConfig(`${name}-api`)) };
    };
    const sourceConfig = await configOf('source');
    await records.bindInstance(source, sourceConfig.config);
    const instance = await configOf('by-instance');
    const nearGroup = await configOf('by-near-group');
    const farGroup = await configOf('by-far-group');
    const selector = await configOf('by-selector');
    const canary = { labelSelector: { matchLabels: { ring: 'canary' } } };
    const high = 1000;
    const ladder: { binding: string; clusters: string[] }[] = [
      { binding: await records.bindInstance(target, instance.config), clusters: ['by-instance-api'] },
      {
        binding: await records.bindInherit(target, source, [
          { resourceType: 'cluster', name: 'source-api', patch: { connect_timeout: '3s' } },
        ]),
        clusters: ['source-api'],
      },
      {
        binding: await records.bindTemplate(
          { proxyId: target },
          webTemplate,
          { cluster: 'tpl-proxy', port: 10100 },
          high,
        ),
        clusters: ['tpl-proxy'],
      },
      { binding: await records.bindGroup(child, nearGroup.config), clusters: ['by-near-group-api'] },
      {
        binding: await records.bindTemplate(
          { groupId: child },
          webTemplate,
          { cluster: 'tpl-group', port: 10101 },
          high,
        ),
        clusters: ['tpl-group'],
      },
      { binding: await records.bindGroup(root, farGroup.config), clusters: ['by-far-group-api'] },
      {
        binding: await records.bindTemplate(
          { groupId: root },
          webTemplate,
          { cluster: 'tpl-root', port: 10102 },
          high,
        ),
        clusters: ['tpl-root'],
      },
      {
        binding: await records.bindLabels(canary.labelSelector.matchLabels, selector.config),
        clusters: ['by-selector-api'],
      },
      {
        binding: await records.bindTemplate(
          canary,
          webTemplate,
          { cluster: 'tpl-selector', port: 10103 },
          high,
        ),
        clusters: ['tpl-selector'],
      },
    ];

    const seen: string[][] = [];
    for (const step of ladder) {
      await build();
      seen.push(await clusterNames('target-1'));
      await records.unbind(step.binding);
    }
    const last = await pointerOf('target-1');
    const report = await build();

    expect(seen).toEqual(ladder.map((step) => step.clusters));
    expect(await pointerOf('target-1')).toBe(last);
    expect(report.unbound).toContain('target-1');
  });
});
