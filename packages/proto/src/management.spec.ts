import {
  Any,
  BadRequest,
  ControlPlaneServiceService,
  CreateConfigRequest,
  ListConfigsRequest,
  Status,
} from './management';

describe('generated management API', () => {
  it('round-trips a config whose resources are proto-JSON objects (google.protobuf.Struct)', () => {
    const listener = { name: 'http', address: { socket_address: { address: '0.0.0.0', port_value: 8080 } } };
    const request = CreateConfigRequest.fromPartial({
      config: { name: 'edge', labels: { env: 'prod' }, spec: { listeners: [listener] }, etag: 'W/"1"' },
      message: 'first version',
    });

    const decoded = CreateConfigRequest.decode(CreateConfigRequest.encode(request).finish());

    expect(decoded.config?.spec?.listeners[0]).toEqual(listener);
    expect(decoded.config?.etag).toBe('W/"1"');
  });

  it('pages with page_size and page_token', () => {
    const decoded = ListConfigsRequest.decode(
      ListConfigsRequest.encode({
        pageSize: 20,
        pageToken: 'abc',
        labelSelector: '',
        nameContains: '',
      }).finish(),
    );

    expect(decoded).toMatchObject({ pageSize: 20, pageToken: 'abc' });
  });

  it('serves the seed methods at envoyfleet.v1 paths, with events as a server stream', () => {
    expect(ControlPlaneServiceService.createConfig.path).toBe(
      '/envoyfleet.v1.ControlPlaneService/CreateConfig',
    );
    expect(ControlPlaneServiceService.streamProxyEvents.responseStream).toBe(true);
    expect(Object.keys(ControlPlaneServiceService)).toEqual(
      expect.arrayContaining([
        'getConfig',
        'listConfigs',
        'updateConfig',
        'deleteConfig',
        'validateConfig',
        'listProxies',
        'getProxyStatus',
        'getSnapshot',
        'createSnapshot',
        'diffConfigVersions',
        'rollbackConfig',
        'promoteRollout',
        'replayWebhookDelivery',
      ]),
    );
  });

  it('carries rich errors: a google.rpc.Status whose details are Any-packed BadRequest field violations', () => {
    const badRequest = BadRequest.fromPartial({
      fieldViolations: [{ field: 'config.name', description: 'must not be empty' }],
    });
    const status = Status.decode(
      Status.encode({
        code: 3,
        message: 'invalid',
        details: [
          {
            typeUrl: 'type.googleapis.com/google.rpc.BadRequest',
            value: BadRequest.encode(badRequest).finish(),
          },
        ],
      }).finish(),
    );

    const detail = status.details[0] ?? Any.fromPartial({});
    expect(detail.typeUrl).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(BadRequest.decode(detail.value).fieldViolations[0]).toMatchObject({ field: 'config.name' });
  });
});
