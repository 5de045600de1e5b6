import { DomainError } from '@envoy-fleet/domain';
import { parseJsonBody, parseYamlBody } from './request-body-parsers';

describe(parseYamlBody.name, () => {
  it('reads a ProxyConfig written in YAML as the same data as its JSON', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: ProxyConfig',
      'metadata:',
      '  name: edge',
      'spec:',
      '  clusters:',
      '    - name: api',
      '      connect_timeout: 5s',
    ].join('\n');

    expect(parseYamlBody(yaml)).toEqual({
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: 'edge' },
      spec: { clusters: [{ name: 'api', connect_timeout: '5s' }] },
    });
  });

  it('keeps timestamps as strings (YAML 1.2 core schema)', () => {
    expect(parseYamlBody('at: 2026-01-01')).toEqual({ at: '2026-01-01' });
  });

  it('refuses invalid YAML and duplicate keys as an invalid request', () => {
    expect(() => parseYamlBody('a: [1, 2')).toThrow(DomainError);
    expect(() => parseYamlBody('a: 1\na: 2')).toThrow(/not valid YAML/);
  });
});

describe(parseJsonBody.name, () => {
  it('parses JSON and names the syntax error otherwise', () => {
    expect(parseJsonBody('{"a":1}')).toEqual({ a: 1 });
    expect(() => parseJsonBody('{"a":')).toThrow(/the body is not valid JSON/);
  });

  it('reads an empty body as no body', () => {
    expect(parseJsonBody('  ')).toBeUndefined();
  });
});
