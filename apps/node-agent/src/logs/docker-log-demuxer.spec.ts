import { DockerLogDemuxer } from './docker-log-demuxer';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe(DockerLogDemuxer.name, () => {
  it('splits frames into lines of each stream', () => {
    const sut = new DockerLogDemuxer();

    const lines = sut.push(Buffer.concat([frame(1, 'one\ntwo\n'), frame(2, 'oops\r\n')]));

    expect(lines).toEqual([
      { stream: 'stdout', text: 'one' },
      { stream: 'stdout', text: 'two' },
      { stream: 'stderr', text: 'oops' },
    ]);
  });

  it('joins frames and lines cut between chunks', () => {
    const sut = new DockerLogDemuxer();
    const bytes = Buffer.concat([frame(1, 'hel'), frame(1, 'lo\nwor'), frame(2, 'err\n')]);

    const lines = [
      ...sut.push(bytes.subarray(0, 5)),
      ...sut.push(bytes.subarray(5, 14)),
      ...sut.push(bytes.subarray(14)),
    ];

    expect(lines).toEqual([
      { stream: 'stdout', text: 'hello' },
      { stream: 'stderr', text: 'err' },
    ]);
    expect(sut.end()).toEqual([{ stream: 'stdout', text: 'wor' }]);
    expect(sut.end()).toEqual([]);
  });
});
