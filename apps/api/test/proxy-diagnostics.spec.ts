import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AgentCommandResult,
  createEvent,
  type LogChunk,
  parseAgentCommand,
  type ParsedAgentCommand,
} from '@envoy-fleet/domain';
import { JetStreamEventBus, type Subscription } from '@envoy-fleet/messaging';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const STATS = [
  '# TYPE envoy_server_live gauge',
  'envoy_server_live{} 1',
  '# TYPE envoy_cluster_upstream_rq_total counter',
  'envoy_cluster_upstream_rq_total{envoy_cluster_name="web"} 7',
  '',
].join('\n');

interface Received {
  readonly id: string;
  readonly command: ParsedAgentCommand;
}

/**
 * A node agent's side of the protocol over the real JetStream, scripted per proxy: `answers` says how
 * each proxy's container behaves (`silent`: the agent never answers).
 */
class StandInAgent {
  readonly received: Received[] = [];
  private subscription: Subscription | undefined;
  private release: () => void = () => undefined;
  /** What `late` proxies wait for before they answer. */
  private readonly lateAnswers = new Promise<void>((resolve) => (this.release = resolve));
  private readonly follows = new Map<string, { proxyId: string; tenantId: string; sequence: number }>();

  constructor(
    private readonly bus: JetStreamEventBus,
    private readonly vmId: string,
    private readonly answers: ReadonlyMap<
      string,
      { tenantId: string; behaviour: 'ok' | 'late' | 'gone' | 'silent' }
    >,
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.bus.consumeCommands(this.vmId, async (command) => {
      const parsed = parseAgentCommand(command.kind, command.payload);
      if (!parsed.ok) throw new Error(parsed.message);
      this.received.push({ id: command.id, command: parsed.command });
      const proxy = this.answers.get(parsed.command.payload.proxyId);
      if (proxy === undefined || proxy.behaviour === 'silent') return;
      if (proxy.behaviour === 'late') await this.lateAnswers;
      const { tenantId } = proxy;
      if (proxy.behaviour === 'gone') {
        await this.complete(command.id, parsed.command, tenantId, {
          ok: false,
          containerId: null,
          error: { code: 'container_not_found', message: 'no container of that proxy on this node' },
        });
        return;
      }
      switch (parsed.command.kind) {
        case 'probe':
          await this.complete(command.id, parsed.command, tenantId, {
            ok: true,
            containerId: 'c1',
            changed: false,
            probe: { ready: true, readyStatus: 200, error: null, stats: STATS, statsTruncated: false },
          });
          return;
        case 'logs': {
          const { proxyId, follow, tail } = parsed.command.payload;
          const lines = Array.from({ length: tail }, (_, index) => `line ${index + 1}`);
          await this.chunk(command.id, proxyId, tenantId, 0, lines, !follow);
          if (follow) this.follows.set(command.id, { proxyId, tenantId, sequence: 1 });
          await this.complete(command.id, parsed.command, tenantId, ok());
          return;
        }
        case 'stop-logs': {
          const follow = this.follows.get(parsed.command.payload.logsCommandId);
          this.follows.delete(parsed.command.payload.logsCommandId);
          if (follow !== undefined) {
            await this.chunk(
              parsed.command.payload.logsCommandId,
              follow.proxyId,
              tenantId,
              follow.sequence,
              [],
              true,
            );
          }
          await this.complete(command.id, parsed.command, tenantId, ok());
          return;
        }
        default:
          throw new Error(`the stand-in agent does not expect ${parsed.command.kind}`);
      }
    });
  }

  /** Lets the `late` proxies answer. */
  answerLate(): void {
    this.release();
  }

  /** Writes a line to every followed stream. */
  async write(text: string): Promise<void> {
    for (const [commandId, follow] of this.follows) {
      await this.chunk(commandId, follow.proxyId, follow.tenantId, follow.sequence, [text], false);
      follow.sequence += 1;
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private async complete(
    commandId: string,
    command: ParsedAgentCommand,
    tenantId: string,
    outcome:
      | Omit<Extract<AgentCommandResult, { ok: true }>, keyof Base>
      | Omit<Extract<AgentCommandResult, { ok: false }>, keyof Base>,
  ): Promise<void> {
    const base: Base = {
      commandId,
      nodeId: this.vmId,
      kind: command.kind,
      proxyId: command.payload.proxyId,
      completedAt: new Date().toISOString(),
    };
    await this.bus.publish(
      createEvent('agent.command.completed', {
        id: commandId,
        tenantId,
        aggregateId: this.vmId,
        payload: { ...base, ...outcome },
      }),
    );
  }

  private async chunk(
    commandId: string,
    proxyId: string,
    tenantId: string,
    sequence: number,
    lines: readonly string[],
    end: boolean,
  ): Promise<void> {
    const payload: LogChunk = {
      nodeId: this.vmId,
      commandId,
      proxyId,
      sequence,
      lines: lines.map((text) => ({ stream: 'stdout', text })),
      end,
    };
    await this.bus.publish(
      createEvent('agent.logs', { id: randomUUID(), tenantId, aggregateId: commandId, payload }),
    );
  }
}

type Base = Pick<AgentCommandResult, 'commandId' | 'nodeId' | 'kind' | 'proxyId' | 'completedAt'>;

function ok(): Omit<Extract<AgentCommandResult, { ok: true }>, keyof Base> {
  return { ok: true, containerId: 'c1', changed: true, probe: null };
}

async function waitFor<T>(what: string, find: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('proxy logs and metrics through the node agent', () => {
  const namespace = `api_diag_${randomBytes(3).toString('hex')}`;
  let api: ApiUnderTest;
  let bus: JetStreamEventBus;
  let agent: StandInAgent;
  let tenantId: string;
  let lateProxyId: string | undefined;

  beforeAll(async () => {
    api = await startApi('proxy-diagnostics', { NATS_NAMESPACE: namespace });
    const group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'diag' })).body;
    const ready = (
      await api.admin.post<{ id: string }>('/api/v1/nodes', {
        hostname: 'vm-ready',
        capacity: { cpuMillicores: 2_000, memoryMib: 2_048 },
        status: 'ready',
      })
    ).body;
    const silent = (
      await api.admin.post<{ id: string }>('/api/v1/nodes', {
        hostname: 'vm-lost',
        capacity: { cpuMillicores: 2_000, memoryMib: 2_048 },
        status: 'not_ready',
      })
    ).body;
    const [node] = await api.sql<{ tenant_id: string }>('SELECT tenant_id FROM nodes WHERE id = $1', [
      ready.id,
    ]);
    tenantId = node?.tenant_id ?? '';
    const proxies: [string, string | null][] = [
      ['diag-ok', ready.id],
      ['diag-gone', ready.id],
      ['diag-silent', ready.id],
      ['diag-late', ready.id],
      ['diag-unplaced', null],
      ['diag-lost', silent.id],
    ];
    const ids = new Map<string, string>();
    for (const [index, [nodeId, vmId]] of proxies.entries()) {
      const created = await api.admin.post<{ id: string }>('/api/v1/proxies', {
        nodeId,
        groupId: group.id,
        vmId,
        containerName: `envoy-proxy-diag-00${index}`,
        proxyPort: 10_000 + index,
        adminPort: 20_000 + index,
        image: 'envoyproxy/envoy:v1.31.0',
      });
      expect(created.status).toBe(201);
      ids.set(nodeId, created.body.id);
    }
    lateProxyId = ids.get('diag-late');
    bus = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'stand-in-agent', namespace });
    await bus.provisionStreams();
    agent = new StandInAgent(
      bus,
      ready.id,
      new Map([
        [ids.get('diag-ok') ?? '', { tenantId, behaviour: 'ok' as const }],
        [ids.get('diag-gone') ?? '', { tenantId, behaviour: 'gone' as const }],
        [ids.get('diag-silent') ?? '', { tenantId, behaviour: 'silent' as const }],
        [ids.get('diag-late') ?? '', { tenantId, behaviour: 'late' as const }],
      ]),
    );
    await agent.start();
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await bus?.close();
    await api?.close();
  });

  it("relays the proxy's Envoy stats as Prometheus text, filtered by metric name on request", async () => {
    const all = await api.admin.get('/api/v1/proxies/diag-ok/metrics');
    const filtered = await api.admin.get('/api/v1/proxies/diag-ok/metrics?filter=upstream_rq');

    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(all.text).toBe(STATS);
    expect(filtered.text).toBe(
      '# TYPE envoy_cluster_upstream_rq_total counter\nenvoy_cluster_upstream_rq_total{envoy_cluster_name="web"} 7\n',
    );
    expect(agent.received.filter(({ command }) => command.kind === 'probe')).toHaveLength(2);
  });

  it('sends the last lines of the log, and ends the response with the stream', async () => {
    const sut = await api.admin.get('/api/v1/proxies/diag-ok/logs?tail=3');

    expect(sut.status).toBe(200);
    expect(sut.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(sut.text).toBe('line 1\nline 2\nline 3\n');
    const logs = agent.received.filter(({ command }) => command.kind === 'logs').at(-1);
    expect(logs?.command.payload).toMatchObject({ tail: 3, follow: false, since: null });
  });

  it('follows the log: new lines arrive while the response is open, and leaving stops the agent stream', async () => {
    const abort = new AbortController();
    const response = await fetch(`${api.app.url}/api/v1/proxies/diag-ok/logs?follow=true&tail=1`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (expected: string): Promise<void> => {
      while (!text.includes(expected)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before "${expected}": ${text}`);
        text += Buffer.from(value).toString('utf8');
      }
    };
    await readUntil('line 1\n');
    await agent.write('written after the follow began');
    await readUntil('written after the follow began\n');

    abort.abort();

    const stop = await waitFor('the stop-logs command', () =>
      agent.received.find(({ command }) => command.kind === 'stop-logs'),
    );
    const follow = agent.received.find(({ command }) => command.kind === 'logs' && command.payload.follow);
    expect(stop.command.payload).toMatchObject({ logsCommandId: follow?.id });
  });

  it('ends the agent stream of a follower that left before the agent had opened it', async () => {
    const abort = new AbortController();
    const request = fetch(`${api.app.url}/api/v1/proxies/diag-late/logs?follow=true`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
      signal: abort.signal,
    }).catch((error: unknown) => error);
    const follow = await waitFor('the follow command', () =>
      agent.received.find(
        ({ command }) => command.kind === 'logs' && command.payload.proxyId === lateProxyId,
      ),
    );

    abort.abort();
    await request;
    agent.answerLate();

    const stop = await waitFor('the stop-logs command of that follow', () =>
      agent.received.find(
        ({ command }) => command.kind === 'stop-logs' && command.payload.logsCommandId === follow.id,
      ),
    );
    expect(stop.command.payload.proxyId).toBe(follow.command.payload.proxyId);
  });

  it('answers precise problems when the proxy cannot be reached through an agent', async () => {
    const unplaced = await api.admin.get('/api/v1/proxies/diag-unplaced/logs');
    const lost = await api.admin.get('/api/v1/proxies/diag-lost/metrics');
    const gone = await api.admin.get('/api/v1/proxies/diag-gone/metrics');

    expect(unplaced.status).toBe(503);
    expect(unplaced.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unplaced.problem).toMatchObject({
      type: 'https://envoy-fleet.dev/problems/proxy-not-placed',
      detail: 'proxy diag-unplaced is not placed on a node: no agent runs a container for it',
    });
    expect(lost.status).toBe(503);
    expect(lost.problem.type).toBe('https://envoy-fleet.dev/problems/agent-unavailable');
    expect(lost.problem.detail).toContain('is not connected (node status not_ready, last heartbeat never)');
    expect(gone.status).toBe(409);
    expect(gone.problem).toMatchObject({
      code: 'INVALID_STATE',
      details: { agentError: 'container_not_found' },
    });
  });

  it('gives up with 504 when the agent does not answer in time', async () => {
    const sut = await api.admin.get('/api/v1/proxies/diag-silent/metrics');

    expect(sut.status).toBe(504);
    expect(sut.problem).toMatchObject({
      type: 'https://envoy-fleet.dev/problems/agent-timeout',
      details: { timeoutSeconds: 15 },
    });
  }, 30_000);

  it('validates the query, lets viewers read, refuses anonymous callers and hides other tenants', async () => {
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'diag-viewer', role: 'viewer' })
    ).body;
    const other = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', { name: 'diag-other', displayName: 'Other' })
    ).body;

    const badTail = await api.admin.get('/api/v1/proxies/diag-ok/logs?tail=-1&colour=red');
    const badFilter = await api.admin.get('/api/v1/proxies/diag-ok/metrics?filter=(');

    expect(badTail.status).toBe(400);
    expect(badTail.problem.errors?.map((issue) => issue.path).sort()).toEqual(['query.colour', 'query.tail']);
    expect(badFilter.status).toBe(400);
    expect(badFilter.problem.errors).toEqual([
      { path: 'query.filter', message: 'must be a regular expression (JavaScript syntax)' },
    ]);
    expect((await api.anonymous.as(viewer.secret).get('/api/v1/proxies/diag-ok/metrics')).status).toBe(200);
    expect((await api.anonymous.get('/api/v1/proxies/diag-ok/metrics')).status).toBe(401);
    const theirs = api.anonymous.as(other.adminApiKey.secret);
    expect((await theirs.get('/api/v1/proxies/diag-ok/metrics')).status).toBe(404);
    expect((await theirs.get('/api/v1/proxies/diag-ok/logs')).status).toBe(404);
  });
});
