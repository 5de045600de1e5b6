import { formatTable } from './format-table';

describe(formatTable.name, () => {
  it('aligns columns to their widest cell without trailing spaces', () => {
    const sut = formatTable([
      ['CHECK', 'STATUS', 'DETAIL'],
      ['postgres', 'up', ''],
      ['event-bus', 'down', 'connection refused'],
    ]);

    expect(sut).toBe(
      ['CHECK      STATUS  DETAIL', 'postgres   up', 'event-bus  down    connection refused'].join('\n'),
    );
  });
});
