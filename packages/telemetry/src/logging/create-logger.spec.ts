import { Writable } from 'node:stream';
import { createLogger } from './create-logger';
import { runWithCorrelationId } from './request-context';

function capture(): { lines: () => Record<string, unknown>[]; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, destination };
}

describe(createLogger.name, () => {
  it('writes JSON lines with service, level name, ISO time and msg', () => {
    const { lines, destination } = capture();
    const sut = createLogger({ serviceName: 'api', level: 'info', destination });

    sut.info('started');
    sut.debug('below the level');

    expect(lines()).toEqual([
      { service: 'api', level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), msg: 'started' },
    ]);
  });

  it('adds the correlation id of the unit of work, across async steps', async () => {
    const { lines, destination } = capture();
    const sut = createLogger({ serviceName: 'api', level: 'info', destination });

    await runWithCorrelationId('req-7', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      sut.info('inside');
    });
    sut.info('outside');

    expect(lines().map((line) => [line.msg, line.correlationId])).toEqual([
      ['inside', 'req-7'],
      ['outside', undefined],
    ]);
  });
});
