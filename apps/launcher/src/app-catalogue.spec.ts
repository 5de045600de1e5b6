import { envForApp, envPrefixOf } from './app-catalogue';

describe(envForApp.name, () => {
  it("gives an app its prefixed variables without the prefix, over the shared and the launcher's own", () => {
    const sut = envForApp(
      'xds-server',
      { LOG_LEVEL: 'debug', HTTP_HOST: '127.0.0.1', XDS_SERVER_HTTP_PORT: '9083', API_HTTP_PORT: '9080' },
      { NATS_URL: 'nats://127.0.0.1:4222' },
    );

    expect(sut).toMatchObject({
      LOG_LEVEL: 'debug',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '9083',
      NATS_URL: 'nats://127.0.0.1:4222',
    });
  });

  it("leaves other apps' variables alone", () => {
    const sut = envForApp('api', { XDS_SERVER_HTTP_PORT: '9083', XDS_PORT: '19000' }, {});

    expect(sut.HTTP_PORT).toBeUndefined();
    expect(sut.XDS_PORT).toBe('19000');
  });

  it('derives the prefix from the app name', () => {
    expect(envPrefixOf('webhook-dispatcher')).toBe('WEBHOOK_DISPATCHER_');
  });
});
