import type { MessagingLogger } from '../../src';

/** Keeps what the code under test logs, so that a test can wait for a particular message. */
export class RecordingLogger implements MessagingLogger {
  readonly entries: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];

  info(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'info', message, fields });
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'warn', message, fields });
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'error', message, fields });
  }

  has(messageStart: string): boolean {
    return this.entries.some((entry) => entry.message.startsWith(messageStart));
  }
}
