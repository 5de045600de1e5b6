import { DOCKER_HOST_FORMAT, dockerOptionsFrom } from './docker-host';

describe(dockerOptionsFrom.name, () => {
  it('connects to a unix socket', () => {
    expect(dockerOptionsFrom('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
  });

  it('connects over TCP, on 2375 unless told otherwise', () => {
    expect(dockerOptionsFrom('tcp://10.0.0.7:2376')).toEqual({
      protocol: 'http',
      host: '10.0.0.7',
      port: 2376,
    });
    expect(dockerOptionsFrom('tcp://docker')).toEqual({ protocol: 'http', host: 'docker', port: 2375 });
  });
});

describe('DOCKER_HOST_FORMAT', () => {
  it.each(['unix:///var/run/docker.sock', 'tcp://10.0.0.7:2376', 'tcp://docker'])('accepts %s', (value) => {
    expect(DOCKER_HOST_FORMAT.test(value)).toBe(true);
  });

  it.each(['ssh://user@host', 'unix://relative.sock', '/var/run/docker.sock', 'tcp://host/path'])(
    'rejects %s',
    (value) => {
      expect(DOCKER_HOST_FORMAT.test(value)).toBe(false);
    },
  );
});
