import { describeError } from './entrypoint';
import { EnvError } from './env/load-env';

describe(describeError.name, () => {
  it('lists every environment problem on one line', () => {
    const sut = describeError(
      new EnvError(['HTTP_PORT: expected a port, got "abc"', 'DATABASE_URL: required']),
    );

    expect(sut).toBe('invalid environment: HTTP_PORT: expected a port, got "abc"; DATABASE_URL: required');
  });

  it('follows the chain of causes and keeps to one line', () => {
    const sut = describeError(
      new Error('database unreachable', { cause: new Error('connect ECONNREFUSED\n  127.0.0.1:5432') }),
    );

    expect(sut).toBe('database unreachable: connect ECONNREFUSED 127.0.0.1:5432');
  });
});
