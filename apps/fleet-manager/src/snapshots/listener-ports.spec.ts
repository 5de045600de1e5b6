import { type ConfigDocument, emptyConfigDocument, type JsonObject } from '@envoy-fleet/domain';
import { bindProxyPort, PROXY_PORT_PLACEHOLDER } from './listener-ports';
import { translateDocument } from './config-translation';
import { TranslationCache } from './translation-cache';

const listener = (name: string, socket: JsonObject, additional: JsonObject[] = []) => ({
  name,
  labels: {},
  body: {
    name,
    address: { socket_address: { address: '0.0.0.0', ...socket } },
    ...(additional.length === 0
      ? {}
      : {
          additional_addresses: additional.map((each) => ({
            address: { socket_address: { address: '::', ...each } },
          })),
        }),
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
              stat_prefix: name,
              cluster: 'backend',
            },
          },
        ],
      },
    ],
  },
});
const documentWith = (...listeners: ReturnType<typeof listener>[]): ConfigDocument => ({
  resources: { ...emptyConfigDocument().resources, listener: listeners },
});

describe(bindProxyPort.name, () => {
  it('binds every address naming the placeholder to the proxy port and leaves fixed ports alone', () => {
    const sut = documentWith(
      listener('public', { named_port: PROXY_PORT_PLACEHOLDER }, [{ named_port: PROXY_PORT_PLACEHOLDER }]),
      listener('admin-side', { port_value: 9000 }),
    );

    const bound = bindProxyPort(sut, 10003);

    expect(bound?.resources.listener.map((each) => each.body)).toEqual([
      expect.objectContaining({
        address: { socket_address: { address: '0.0.0.0', port_value: 10003 } },
        additional_addresses: [{ address: { socket_address: { address: '::', port_value: 10003 } } }],
      }),
      sut.resources.listener[1]?.body,
    ]);
    expect(sut.resources.listener[0]?.body['address']).toEqual({
      socket_address: { address: '0.0.0.0', named_port: PROXY_PORT_PLACEHOLDER },
    });
  });

  it('answers undefined for a document without the placeholder, so its proxies keep sharing a snapshot', () => {
    expect(bindProxyPort(documentWith(listener('public', { port_value: 10000 })), 10003)).toBeUndefined();
    expect(bindProxyPort(documentWith(listener('public', { named_port: 'http' })), 10003)).toBeUndefined();
  });

  it('gives a listener Envoy accepts: the placeholder is a valid named port, the bound one a port value', async () => {
    const sut = documentWith(listener('public', { named_port: PROXY_PORT_PLACEHOLDER }));
    const bound = bindProxyPort(sut, 10003);

    const translation =
      bound === undefined ? undefined : await translateDocument(bound, new TranslationCache());

    expect((await translateDocument(sut, new TranslationCache())).ok).toBe(true);
    expect(translation?.ok && translation.resources.listener[0]?.json['address']).toEqual({
      socket_address: { address: '0.0.0.0', port_value: 10003 },
    });
  });
});
