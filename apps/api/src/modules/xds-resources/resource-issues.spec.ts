import { issuesOfWrittenResource } from './resource-issues';

describe(issuesOfWrittenResource.name, () => {
  const message = 'broken';

  it('moves issues inside the written resource to the request body, whatever follows its index', () => {
    expect(
      issuesOfWrittenResource(
        [
          { path: 'spec.clusters[2]', message },
          { path: 'spec.clusters[2].connect_timeout', message },
          { path: 'spec.clusters[2][0]', message },
        ],
        'clusters',
        2,
      ),
    ).toEqual([
      { path: 'resource', message },
      { path: 'resource.connect_timeout', message },
      { path: 'resource[0]', message },
    ]);
  });

  it('keeps the config path of issues elsewhere, also of a resource whose index only starts alike', () => {
    const elsewhere = [
      { path: 'spec.clusters[21].name', message },
      { path: 'spec.routes[2].virtual_hosts[0].routes[0].route.cluster', message },
      { path: 'metadata.labels', message },
    ];

    expect(issuesOfWrittenResource(elsewhere, 'clusters', 2)).toEqual(elsewhere);
  });
});
