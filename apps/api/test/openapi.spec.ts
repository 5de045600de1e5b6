import type { OpenAPIObject } from '@nestjs/swagger';
import { startApi, type ApiUnderTest } from './support/api-under-test';

describe('OpenAPI document', () => {
  let api: ApiUnderTest;
  let document: OpenAPIObject;

  beforeAll(async () => {
    api = await startApi('openapi');
    document = (await api.anonymous.get<OpenAPIObject>('/api/docs-json')).body;
  });

  afterAll(async () => {
    await api.close();
  });

  it('is OpenAPI 3.1 with both auth schemes and the problem schema', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components?.securitySchemes).toEqual({
      accessToken: expect.objectContaining({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      }) as unknown,
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) as unknown,
    });
    expect(document.components?.schemas?.['ProblemDetails']).toMatchObject({ type: 'object' });
  });

  it('describes every route of the api with its operations', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete']
        .filter((method) => method in item)
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const crud = (base: string, key: string) => [
      `GET ${base}`,
      `POST ${base}`,
      `GET ${base}/{${key}}`,
      `PUT ${base}/{${key}}`,
      `PATCH ${base}/{${key}}`,
      `DELETE ${base}/{${key}}`,
    ];

    expect(operations.sort()).toEqual(
      [
        'POST /api/v1/auth/token',
        ...crud('/api/v1/tenants', 'id'),
        ...crud('/api/v1/api-keys', 'id'),
        ...crud('/api/v1/nodes', 'id'),
        ...crud('/api/v1/proxy-groups', 'id'),
        'POST /api/v1/proxy-groups/{id}/scale',
        ...crud('/api/v1/proxies', 'nodeId'),
        'GET /api/v1/proxies/{nodeId}/status',
        'GET /api/v1/proxies/{nodeId}/config',
        'GET /api/v1/proxies/{nodeId}/logs',
        'GET /api/v1/proxies/{nodeId}/metrics',
        ...crud('/api/v1/configs', 'id'),
        'POST /api/v1/configs/{id}/validate',
        'POST /api/v1/configs/{id}/apply',
        'GET /api/v1/rollouts',
        'GET /api/v1/rollouts/{id}',
        'POST /api/v1/rollouts/{id}/pause',
        'POST /api/v1/rollouts/{id}/resume',
        'POST /api/v1/rollouts/{id}/abort',
        'POST /api/v1/rollouts/{id}/promote',
        ...crud('/api/v1/bindings', 'id'),
        ...crud('/api/v1/templates', 'id'),
        'POST /api/v1/templates/{id}/render',
        'GET /api/v1/configs/{id}/versions',
        'GET /api/v1/configs/{id}/versions/{number}',
        'GET /api/v1/configs/{id}/versions/{number}/deliveries',
        'GET /api/v1/configs/{id}/versions/{number}/deliveries/summary',
        'GET /api/v1/configs/{id}/diff',
        'POST /api/v1/configs/{id}/versions/{number}/rollback',
        'POST /api/v1/configs/{id}/versions/{number}/release',
        'GET /api/v1/events',
        ...crud('/api/v1/users', 'id'),
        ...crud('/api/v1/role-bindings', 'id'),
        ...crud('/api/v1/webhooks', 'id'),
        'GET /api/v1/webhooks/{id}/deliveries',
        'POST /api/v1/bulk',
        'GET /api/v1/services',
        'GET /api/v1/services/{name}',
        'GET /api/v1/endpoints',
        'GET /api/v1/endpoints/{service}',
        'GET /api/v1/stats',
        'POST /api/v1/snapshots/rebuild',
        'POST /api/v1/proxies/{nodeId}/reload',
        'POST /api/v1/proxies/{nodeId}/restart',
        'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/replay',
        ...['listeners', 'route-configs', 'clusters', 'cluster-load-assignments', 'secrets'].flatMap(
          (collection) => [
            `GET /api/v1/${collection}`,
            `POST /api/v1/${collection}`,
            ...['GET', 'PUT', 'PATCH', 'DELETE'].map(
              (method) => `${method} /api/v1/${collection}/{configId}/{name}`,
            ),
          ],
        ),
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ].sort(),
    );
  });

  it('documents request bodies, responses, errors and security of an operation', () => {
    const create = document.paths['/api/v1/configs']?.post;

    expect(
      Object.keys(create?.requestBody && 'content' in create.requestBody ? create.requestBody.content : {}),
    ).toEqual(expect.arrayContaining(['application/json', 'application/yaml']));
    expect(create?.responses['201']).toMatchObject({
      content: { 'application/json': { schema: { type: 'object' } } },
    });
    for (const status of ['400', '401', '403', '409', '413', '422', '429']) {
      expect(create?.responses[status]).toMatchObject({
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
      });
    }
    expect(create?.security).toEqual([{ accessToken: [] }, { apiKey: [] }]);
    expect(create?.parameters?.map((parameter) => ('name' in parameter ? parameter.name : ''))).toEqual(
      expect.arrayContaining(['dryRun', 'Idempotency-Key', 'Change-Message']),
    );
  });

  it('serves the Swagger UI and its assets', async () => {
    const page = await api.anonymous.get('/api/docs');
    const script = await api.anonymous.get('/api/docs/assets/swagger-ui-bundle.js');

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain("url: '/api/docs-json'");
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await api.anonymous.get('/api/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
