import { type ConfigDocument, emptyConfigDocument } from '@envoy-fleet/domain';
import { rejectedResources } from './rejected-resources';

function documentWith(type: 'listener' | 'cluster', names: string[]): ConfigDocument {
  const document = emptyConfigDocument();
  return {
    resources: {
      ...document.resources,
      [type]: names.map((name) => ({ name, labels: {}, body: { name } })),
    },
  };
}

describe('rejectedResources', () => {
  it("names the resources of the NACKed type that Envoy's message mentions", () => {
    const document = documentWith('listener', ['ingress', 'admin-tap', 'egress']);
    const message =
      "Error adding/updating listener(s) ingress: Didn't find a registered implementation for 'envoy.filters.http.wasm'";

    expect(rejectedResources(document, 'listener', message)).toEqual(['ingress']);
  });

  it('names several resources, sorted, when the message mentions several', () => {
    const document = documentWith('cluster', ['payments', 'billing', 'search']);
    const message = "cluster 'search': bad lb policy\ncluster 'billing': bad lb policy";

    expect(rejectedResources(document, 'cluster', message)).toEqual(['billing', 'search']);
  });

  it('does not take a name found inside a longer word or name', () => {
    const document = documentWith('cluster', ['web', 'web-canary', 'web.v2', 'api']);

    expect(rejectedResources(document, 'cluster', "cluster 'web-canary': bad")).toEqual(['web-canary']);
    expect(rejectedResources(document, 'cluster', 'cluster web.v2: bad')).toEqual(['web.v2']);
    expect(rejectedResources(document, 'cluster', 'rapid failure of webhooks')).toEqual([]);
  });

  it('looks only at resources of the NACKed type', () => {
    const document = documentWith('cluster', ['ingress']);

    expect(rejectedResources(document, 'listener', 'listener ingress rejected')).toEqual([]);
  });
});
