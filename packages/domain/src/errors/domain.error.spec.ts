import { DOMAIN_ERROR_CODES, DomainError, isDomainError, isDomainErrorCode } from './domain.error';

describe(DomainError.name, () => {
  it('carries its code, issues and details', () => {
    const sut = new DomainError('CONFLICT', 'port 10000 is taken on vm-1', { details: { port: 10_000 } });
    expect(sut).toBeInstanceOf(Error);
    expect(isDomainError(sut)).toBe(true);
    expect(sut.code).toBe('CONFLICT');
    expect(sut.issues).toEqual([]);
    expect(sut.details).toEqual({ port: 10_000 });
    expect(sut.name).toBe('DomainError');
  });

  it('assertValid throws VALIDATION_FAILED with every issue, and passes silently without issues', () => {
    expect(() => DomainError.assertValid('proxy', [])).not.toThrow();
    try {
      DomainError.assertValid('proxy', [
        { path: 'proxyPort', message: 'must be a port' },
        { path: '', message: 'body must be an object' },
      ]);
      throw new Error('assertValid did not throw');
    } catch (error) {
      expect(isDomainError(error) && error.code).toBe('VALIDATION_FAILED');
      expect((error as DomainError).message).toBe(
        'proxy is invalid: proxyPort: must be a port; (root): body must be an object',
      );
      expect((error as DomainError).issues).toHaveLength(2);
    }
  });

  it('tells the client what to do about a stale version', () => {
    const sut = DomainError.staleVersion('config', 'c-1', 3);
    expect(sut.code).toBe('PRECONDITION_FAILED');
    expect(sut.message).toBe(
      'config c-1 was changed by someone else since version 3; read it again and retry',
    );
  });

  it('keeps the cause', () => {
    const cause = new Error('duplicate key');
    expect(DomainError.alreadyExists('tenant', 'acme')).not.toHaveProperty('cause');
    expect(new DomainError('ALREADY_EXISTS', 'tenant acme already exists', { cause }).cause).toBe(cause);
  });

  it('recognises its codes', () => {
    expect(DOMAIN_ERROR_CODES.every(isDomainErrorCode)).toBe(true);
    expect(isDomainErrorCode('TEAPOT')).toBe(false);
  });
});
