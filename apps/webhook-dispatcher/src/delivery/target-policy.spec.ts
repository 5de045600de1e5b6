import { parseCidrList, TargetPolicy, TargetRefusedError } from './target-policy';

describe(TargetPolicy.name, () => {
  const production = new TargetPolicy({ allowLoopback: false, deniedCidrs: [] });
  const development = new TargetPolicy({ allowLoopback: true, deniedCidrs: [] });

  it.each([
    ['169.254.169.254', 'link-local (cloud metadata service)'],
    ['169.254.0.1', 'link-local (cloud metadata service)'],
    ['fd00:ec2::254', 'the cloud metadata service'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local (cloud metadata service)'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata service)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
  ])('always refuses %s (%s)', (address, reason) => {
    expect(development.refusal(address)).toBe(`${address} is ${reason}`);
    expect(production.refusal(address)).toBe(`${address} is ${reason}`);
  });

  it('refuses loopback unless allowed', () => {
    for (const address of ['127.0.0.1', '127.10.0.1', '::1', '::ffff:127.0.0.1']) {
      expect(production.refusal(address)).toBe(`${address} is loopback`);
      expect(development.refusal(address)).toBeNull();
    }
  });

  it('lets public and private addresses through, and refuses the networks the operator denies', () => {
    const strict = new TargetPolicy({
      allowLoopback: false,
      deniedCidrs: parseCidrList('10.0.0.0/8, fc00::/7'),
    });

    for (const address of ['93.184.215.14', '10.1.2.3', '2606:4700::1111', 'fd12::1']) {
      expect(production.refusal(address)).toBeNull();
    }
    expect(strict.refusal('10.1.2.3')).toBe('10.1.2.3 is denied by WEBHOOK_DENY_CIDRS');
    expect(strict.refusal('fd12::1')).toBe('fd12::1 is denied by WEBHOOK_DENY_CIDRS');
    expect(strict.refusal('93.184.215.14')).toBeNull();
  });

  it('accepts http and https URLs and refuses other schemes and refused IP literals', () => {
    expect(production.checkUrl('https://hooks.example.test/a?b=c').href).toBe(
      'https://hooks.example.test/a?b=c',
    );
    expect(() => production.checkUrl('ftp://hooks.example.test/')).toThrow(
      new TargetRefusedError('only http and https URLs are delivered to, not ftp:'),
    );
    expect(() => production.checkUrl('http://169.254.169.254/latest/meta-data/')).toThrow(
      'refused to deliver to 169.254.169.254: 169.254.169.254 is link-local (cloud metadata service)',
    );
    expect(() => production.checkUrl('http://[fd00:ec2::254]/')).toThrow(
      'refused to deliver to [fd00:ec2::254]: fd00:ec2::254 is the cloud metadata service',
    );
    expect(() => production.checkUrl('http://127.0.0.1:8080/')).toThrow(TargetRefusedError);
    expect(development.checkUrl('http://127.0.0.1:8080/').port).toBe('8080');
    expect(() => production.checkUrl('not a url')).toThrow('"not a url" is not a URL');
  });
});

describe(parseCidrList.name, () => {
  it('reads comma-separated IPv4 and IPv6 networks', () => {
    expect(parseCidrList(' 10.0.0.0/8,fc00::/7 ,')).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: 'fc00::', prefix: 7, family: 'ipv6' },
    ]);
    expect(parseCidrList('')).toEqual([]);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', 'example.test/8', '10.0.0.0/8/1', '::/129', '10.0.0.0/x'])(
    'refuses %s',
    (entry) => {
      expect(() => parseCidrList(entry)).toThrow(
        `expected CIDRs such as 10.0.0.0/8 or fc00::/7, got "${entry}"`,
      );
    },
  );
});
