import { ChangeType } from '@envoy-fleet/proto/management';
import { resourceChanges, specOf, validationIssueMessage } from './config-messages';

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const ENDPOINTS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

describe(resourceChanges.name, () => {
  it('reports added, removed and modified resources by type and name, and nothing for equal ones', () => {
    const from = {
      spec: specOf({
        listeners: [],
        routes: [],
        clusters: [{ name: 'a', connect_timeout: '1s' }, { name: 'b' }],
        endpoints: [{ cluster_name: 'a' }],
        secrets: [],
      }),
    };
    const to = {
      spec: specOf({
        listeners: [],
        routes: [],
        clusters: [{ connect_timeout: '2s', name: 'a' }, { name: 'c' }],
        endpoints: [{ cluster_name: 'a' }],
        secrets: [],
      }),
    };

    const sut = resourceChanges(from, to);

    expect(sut).toEqual([
      {
        typeUrl: CLUSTER,
        name: 'a',
        change: ChangeType.CHANGE_TYPE_MODIFIED,
        before: { name: 'a', connect_timeout: '1s' },
        after: { connect_timeout: '2s', name: 'a' },
      },
      {
        typeUrl: CLUSTER,
        name: 'b',
        change: ChangeType.CHANGE_TYPE_REMOVED,
        before: { name: 'b' },
        after: undefined,
      },
      {
        typeUrl: CLUSTER,
        name: 'c',
        change: ChangeType.CHANGE_TYPE_ADDED,
        before: undefined,
        after: { name: 'c' },
      },
    ]);
    expect(resourceChanges(to, to)).toEqual([]);
  });
});

describe(validationIssueMessage.name, () => {
  const spec = specOf({
    listeners: [],
    routes: [],
    clusters: [],
    endpoints: [{ cluster_name: 'api' }],
    secrets: [],
  });

  it('places an issue inside a resource at the resource, by type URL and name', () => {
    expect(
      validationIssueMessage({ path: 'spec.endpoints[0].cluster_name', message: 'no such cluster' }, spec),
    ).toEqual({
      typeUrl: ENDPOINTS,
      resourceName: 'api',
      path: 'cluster_name',
      message: 'no such cluster',
      rule: '',
    });
  });

  it('keeps the path of an issue outside the resources', () => {
    expect(validationIssueMessage({ path: 'metadata.labels', message: 'bad' }, spec)).toMatchObject({
      typeUrl: '',
      resourceName: '',
      path: 'metadata.labels',
    });
  });
});
