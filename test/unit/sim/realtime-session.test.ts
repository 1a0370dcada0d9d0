import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RealtimeSimulator } from '../../../src/sim/realtime/simulator.js';
import { EnergyVad } from '../../../src/sim/realtime/vad.js';
import { keysCall, type Scenario } from '../../../src/sim/scenarios.js';

type ServerEvent = Record<string, unknown> & { type: string };

/** Every response as fast as the timers allow: these tests are about what is sent, not when. */
const FAST = { modelLatencyMs: 0, deltaMs: 100, speed: 1000, transcriptionDelayMs: 0 };
/** Enough committed audio for the service to accept a manual commit (it wants 100 ms at least). */
const SILENCE_200MS_PCM16 = Buffer.alloc(200 * 48).toString('base64');

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A Realtime client on a real socket that keeps every server event and can wait for one to arrive. */
class TestClient {
  readonly events: ServerEvent[] = [];
  readonly #socket: WebSocket;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      this.events.push(JSON.parse(data.toString()) as ServerEvent);
      for (const wake of this.#waiters) wake();
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const socket = new WebSocket(`${url}?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-test' } });
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await client.until((events) => events.some((event) => event.type === 'session.created'));
    return client;
  }

  send(event: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(event));
  }

  until(condition: (events: ServerEvent[]) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition(this.events)) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves once `count` responses in all have finished. */
  responsesDone(count: number): Promise<void> {
    return this.until((events) => events.filter((event) => event.type === 'response.done').length >= count);
  }

  of(type: string): ServerEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  close(): void {
    this.#socket.terminate();
  }
}

async function start(scenario: Scenario): Promise<{ simulator: RealtimeSimulator; client: TestClient }> {
  const simulator = await new RealtimeSimulator({ scenario, timing: FAST }).start();
  cleanups.push(() => simulator.close());
  const client = await TestClient.connect(simulator.url);
  cleanups.push(() => client.close());
  return { simulator, client };
}

const userText = (text: string, id?: string) => ({
  type: 'conversation.item.create',
  item: { ...(id ? { id } : {}), type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});


describe('the Realtime simulator session', () => {
  it('makes several scripted function calls in one response, then answers their outputs with the reply', async () => {
    const { simulator, client } = await start({
      ...keysCall,
      turns: [
        {
          callerClip: 'en-goodbye',
          tools: [
            { name: 'lookup_order', arguments: { orderId: '4572' } },
            { name: 'end_call', arguments: { reason: 'caller said goodbye' } },
          ],
          reply: 'goodbye-en',
        },
      ],
    });
    client.send({ type: 'input_audio_buffer.append', audio: SILENCE_200MS_PCM16 });
    client.send({ type: 'input_audio_buffer.commit' });
    client.send({ type: 'response.create' });
    await client.responsesDone(1);

    const created = client.events.findIndex((event) => event.type === 'response.created');
    const perItem = [
      'response.output_item.added',
      'conversation.item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'conversation.item.done',
    ];
    expect(client.events.slice(created).map((event) => event.type)).toEqual([
      'response.created',
      ...perItem,
      ...perItem,
      'response.done',
    ]);
    const calls = client.of('response.function_call_arguments.done');
    expect(calls).toMatchObject([
      { output_index: 0, name: 'lookup_order', arguments: '{"orderId":"4572"}' },
      { output_index: 1, name: 'end_call', arguments: '{"reason":"caller said goodbye"}' },
    ]);
    const [first, second] = calls;
    expect(first!['call_id']).not.toBe(second!['call_id']);
    expect(first!['item_id']).not.toBe(second!['item_id']);
    expect(client.of('response.output_item.added').map((event) => event['output_index'])).toEqual([0, 1]);
    const done = client.of('response.done')[0]!;
    expect(done['response']).toMatchObject({
      status: 'completed',
      output: calls.map((call) => ({ type: 'function_call', id: call['item_id'], call_id: call['call_id'], name: call['name'], arguments: call['arguments'] })),
    });

    for (const call of calls) {
      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call['call_id'], output: '{"ok":true}' } });
    }
    client.send({ type: 'response.create' });
    await client.responsesDone(2);
    expect(client.of('response.done')[1]!['response']).toMatchObject({ output: [{ type: 'message', role: 'assistant' }] });
    expect(simulator.sessions[0]!.responses.map((response) => response.reply)).toEqual(['tool:lookup_order+end_call', 'goodbye-en']);
  });

  it('answers a user text message the client created (key presses) with the next scripted turn', async () => {
    const { simulator, client } = await start(keysCall);
    client.send(userText('The caller pressed 4572#'));
    client.send({ type: 'response.create' });
    await client.responsesDone(1);
    expect(simulator.sessions[0]!.responses.map((response) => response.reply)).toEqual(['order-en']);
    expect(client.of('response.output_audio.delta').length).toBeGreaterThan(0);
  });

  it('does not take seeded history (cb_ items) for a new caller turn', async () => {
    const { simulator, client } = await start(keysCall);
    client.send(userText('What the caller said before the reconnect', 'cb_seed_0'));
    client.send({ type: 'response.create' });
    await client.responsesDone(1);
    client.send(userText('The caller pressed 4572#'));
    client.send({ type: 'response.create' });
    await client.responsesDone(2);
    expect(simulator.sessions[0]!.responses.map((response) => response.reply)).toEqual(['greeting-en', 'order-en']);
  });

  it('counts a text message and a committed audio turn after it as one caller turn', async () => {
    const { simulator, client } = await start(keysCall);
    client.send(userText('The caller pressed 4572#'));
    client.send({ type: 'input_audio_buffer.append', audio: SILENCE_200MS_PCM16 });
    client.send({ type: 'input_audio_buffer.commit' });
    client.send({ type: 'response.create' });
    await client.responsesDone(1);
    client.send({ type: 'response.create' });
    await client.responsesDone(2);
    expect(simulator.sessions[0]!.responses.map((response) => response.reply)).toEqual(['order-en', 'fallback-en']);
  });
});

describe('what the simulator session received', () => {
  it('records each parsed client event, narrowed by type; junk frames are answered with an error and not recorded', async () => {
    const { simulator, client } = await start(keysCall);
    client.send({ type: 'input_audio_buffer.append', audio: SILENCE_200MS_PCM16 });
    client.send({ type: 'session.delete' });
    client.send(userText('The caller pressed 4572#', 'key_item'));
    await client.until((events) => events.some((event) => event.type === 'conversation.item.added'));
    const session = simulator.sessions[0]!;
    expect(session.received.map((entry) => entry.event.type)).toEqual(['input_audio_buffer.append', 'conversation.item.create']);
    expect(session.receivedOf('input_audio_buffer.append')[0]!.event.audio).toBe(SILENCE_200MS_PCM16);
    expect(session.receivedOf('conversation.item.create')[0]!.event.item).toMatchObject({ id: 'key_item', role: 'user' });
    expect(client.of('error')[0]!['error']).toMatchObject({ code: 'invalid_value', param: 'type' });
  });
});

describe('the simulated model latency', () => {
  it('waits a delay drawn from the configured range before each response speaks', async () => {
    const simulator = await new RealtimeSimulator({ scenario: keysCall, timing: { ...FAST, modelLatencyMs: { minMs: 120, maxMs: 180 } } }).start();
    cleanups.push(() => simulator.close());
    const client = await TestClient.connect(simulator.url);
    cleanups.push(() => client.close());
    client.send({ type: 'response.create' });
    await client.responsesDone(1);
    client.send(userText('The caller pressed 4572#'));
    client.send({ type: 'response.create' });
    await client.responsesDone(2);
    const session = simulator.sessions[0]!;
    for (const response of session.responses) {
      const firstDelta = session.deltasSent.find((delta) => delta.responseId === response.id)!;
      const waitedMs = firstDelta.atMs - response.createdAtMs;
      expect(waitedMs).toBeGreaterThanOrEqual(119);
      // Timers may fire late on a busy machine, never early.
      expect(waitedMs).toBeLessThan(180 + 250);
    }
  });
});

describe('the simulated VAD', () => {
  it('reports the end of speech after the silence that decided it, as the service does, and commits only the speech', () => {
    const vad = new EnergyVad({ threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 300 }, 24_000);
    const loud = new Int16Array(24 * 500).fill(8000);
    const quiet = new Int16Array(24 * 400);
    const events = [...vad.push(loud), ...vad.push(quiet)];
    expect(events).toEqual([
      { kind: 'speech-started', audioStartMs: 0 },
      { kind: 'speech-stopped', audioEndMs: 800, speechEndMs: 500 },
    ]);
  });
});
