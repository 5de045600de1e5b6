import type { DockerOptions } from 'dockerode';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** What the env schema accepts: a unix socket or plain TCP, as the docker CLI reads `DOCKER_HOST`. */
export const DOCKER_HOST_FORMAT = /^(unix:\/\/\/\S+|tcp:\/\/[^\s/]+)$/;

/** Connection options for the Docker Engine API from a `DOCKER_HOST` matching `DOCKER_HOST_FORMAT`. */
export function dockerOptionsFrom(dockerHost: string): DockerOptions {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  return { protocol: 'http', host: url.hostname, port: url.port === '' ? 2375 : Number(url.port) };
}
