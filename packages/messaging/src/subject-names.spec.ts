import { SubjectNames, subjectMatches } from './subject-names';

describe(SubjectNames.name, () => {
  it('uses the catalogue subjects and plain stream names without a namespace', () => {
    const sut = new SubjectNames();

    expect(sut.event('config.updated')).toBe('events.config.updated');
    expect(sut.event('snapshot.updated')).toBe('broadcast.snapshot.updated');
    expect(sut.allEvents()).toBe('events.>');
    expect(sut.agentCommands('vm-1')).toBe('agent.vm-1.commands');
    expect(sut.deadLetter('events.config.updated')).toBe('deadletter.events.config.updated');
    expect(sut.stream('EVENTS')).toBe('EVENTS');
  });

  it('prefixes every subject and stream with the namespace', () => {
    const sut = new SubjectNames('t1');

    expect(sut.event('config.updated')).toBe('t1.events.config.updated');
    expect(sut.eventFilter('events.config.>')).toBe('t1.events.config.>');
    expect(sut.allAgentCommands()).toBe('t1.agent.*.commands');
    expect(sut.deadLetter('t1.agent.vm-1.commands')).toBe('t1.deadletter.agent.vm-1.commands');
    expect(sut.allDeadLetters()).toBe('t1.deadletter.>');
    expect(sut.stream('AGENT_COMMANDS')).toBe('t1_AGENT_COMMANDS');
  });

  it('rejects a node id that would break the subject', () => {
    expect(() => new SubjectNames().agentCommands('vm.1')).toThrow('node id "vm.1" is not valid');
    expect(() => new SubjectNames('a b')).toThrow('namespace "a b" is not valid');
  });
});

describe(subjectMatches.name, () => {
  it.each([
    ['events.>', 'events.config.updated', true],
    ['events.>', 'events', false],
    ['events.*', 'events.config', true],
    ['events.*', 'events.config.updated', false],
    ['agent.*.commands', 'agent.vm-1.commands', true],
    ['events.config.updated', 'events.config.updated', true],
    ['events.config.updated', 'events.config', false],
    ['events.config', 'events.config.updated', false],
  ])('%s matches %s: %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});
