import { createEvent } from '@envoy-fleet/domain';
import {
  decodeAgentCommand,
  decodeDeadLetter,
  decodeEvent,
  encodeMessage,
  MessageDecodeError,
} from './message-codec';

describe(decodeEvent.name, () => {
  const event = createEvent('config.updated', {
    id: '7d0c3a39-5b0e-4d53-9f0e-3b8c1c7c9a11',
    tenantId: null,
    aggregateId: 'config-1',
    payload: { configId: 'config-1', name: 'edge' },
  });

  it('round-trips an event', () => {
    expect(decodeEvent(encodeMessage(event))).toEqual(event);
  });

  it.each([
    ['not JSON', '{', 'domain event is not JSON'],
    ['an array', '[]', 'domain event is not a JSON object'],
    ['an unknown type', JSON.stringify({ ...event, type: 'nope' }), 'unknown type "nope"'],
    ['a numeric id', JSON.stringify({ ...event, id: 1 }), 'field "id" must be a string'],
    [
      'a missing payload',
      JSON.stringify({ ...event, payload: undefined }),
      'field "payload" must be an object',
    ],
    [
      'a numeric tenant',
      JSON.stringify({ ...event, tenantId: 3 }),
      'field "tenantId" must be a string or null',
    ],
  ])('rejects %s', (_, body, message) => {
    expect(() => decodeEvent(body)).toThrow(MessageDecodeError);
    expect(() => decodeEvent(body)).toThrow(message);
  });
});

describe(decodeAgentCommand.name, () => {
  it('round-trips a command and rejects one without a kind', () => {
    const command = {
      id: 'c1',
      nodeId: 'vm-1',
      kind: 'start',
      payload: null,
      issuedAt: '2026-01-01T00:00:00.000Z',
    };

    expect(decodeAgentCommand(encodeMessage(command))).toEqual(command);
    expect(() => decodeAgentCommand(JSON.stringify({ ...command, kind: undefined }))).toThrow(
      '"kind" must be a string',
    );
  });
});

describe(decodeDeadLetter.name, () => {
  it('round-trips a dead letter', () => {
    const deadLetter = {
      subject: 'events.config.updated',
      consumer: 'fleet-manager',
      error: 'boom',
      deliveries: 5,
      failedAt: '2026-01-01T00:00:00.000Z',
      body: '{}',
    };

    expect(decodeDeadLetter(encodeMessage(deadLetter))).toEqual(deadLetter);
  });
});
