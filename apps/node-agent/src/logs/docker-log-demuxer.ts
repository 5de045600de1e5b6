export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

const HEADER_BYTES = 8;

/**
 * Splits Docker's multiplexed log stream (containers without a TTY) into lines: each frame is a header
 * (byte 0: 1 stdout, 2 stderr; bytes 4-7: payload size, big-endian) and a payload. Frames and lines may
 * be cut anywhere between chunks; partial ones wait for the next chunk or for `end()`.
 */
export class DockerLogDemuxer {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };

  push(chunk: Buffer): LogLine[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const lines: LogLine[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const size = this.buffered.readUInt32BE(4);
      if (this.buffered.length < HEADER_BYTES + size) break;
      const stream = this.buffered[0] === 2 ? 'stderr' : 'stdout';
      const text =
        this.partial[stream] + this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + size).toString('utf8');
      this.buffered = this.buffered.subarray(HEADER_BYTES + size);
      const parts = text.split('\n');
      this.partial[stream] = parts.pop() ?? '';
      for (const part of parts) lines.push({ stream, text: part.replace(/\r$/, '') });
    }
    return lines;
  }

  /** The lines left without a final newline. */
  end(): LogLine[] {
    const lines = (['stdout', 'stderr'] as const)
      .filter((stream) => this.partial[stream] !== '')
      .map((stream) => ({ stream, text: this.partial[stream] }));
    this.partial.stdout = '';
    this.partial.stderr = '';
    return lines;
  }
}
