import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelLink, type ModelLinkOptions } from '../../../src/call/model-link.js';
import { silentLogger } from '../../../src/log.js';
import type { RealtimeClientEvent } from '../../../src/realtime/client-events.js';
import type { RealtimeConnection, RealtimeConnectionEvents } from '../../../src/realtime/connection.js';

class FakeConnection extends EventEmitter<RealtimeConnectionEvents> implements RealtimeConnection {
  readonly sent: RealtimeClientEvent[] = [];
  open = false;
  closedByUs = false;

  send(event: RealtimeClientEvent): boolean {
    if (!this.open) return false;
    this.sent.push(event);
    return true;
  }

  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.open = false;
    this.emit('closed', { code: 1000, reason: 'closed by client', byUs: true });
  }

  /** The service accepts the socket and confirms the session. */
  accept(): void {
    this.open = true;
    this.emit('open');
    this.emit('event', { type: 'session.updated', event_id: 'e1', session: {} });
  }

  drop(): void {
    this.open = false;
    this.emit('closed', { code: 1006, reason: '', byUs: false });
  }
}

const types = (connection: FakeConnection) => connection.sent.map((event) => event.type);

describe('ModelLink', () => {
  let connections: FakeConnection[];
  let quiet: boolean;
  let nowMs: number;

  beforeEach(() => {
    vi.useFakeTimers();
    connections = [];
    quiet = true;
    nowMs = 0;
  });
  afterEach(() => vi.useRealTimers());

  function link(overrides: Partial<ModelLinkOptions> = {}): ModelLink {
    return new ModelLink({
      connect: () => {
        const connection = new FakeConnection();
        connections.push(connection);
        return connection;
      },
      session: { type: 'realtime', model: 'gpt-realtime' },
      logger: silentLogger(),
      now: () => nowMs,
      reconnect: { attempts: 3, baseDelayMs: 250, maxDelayMs: 5000, random: () => 0 },
      maxSessionMs: 60_000,
      holdLimitMs: 100,
      readyTimeoutMs: 10_000,
      seed: () => [{ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'seed' }] } }],
      isQuiet: () => quiet,
      ...overrides,
    });
  }

  it('configures the session first, then flushes audio held while it was not ready', () => {
    const modelLink = link();
    const ready = vi.fn();
    modelLink.on('ready', ready);
    modelLink.appendAudio('AAAA', 20);
    modelLink.appendAudio('BBBB', 20);
    expect(modelLink.send({ type: 'response.create' })).toBe(false);

    connections[0]!.accept();

    expect(types(connections[0]!)).toEqual(['session.update', 'input_audio_buffer.append', 'input_audio_buffer.append']);
    expect(connections[0]!.sent.slice(1)).toEqual([
      { type: 'input_audio_buffer.append', audio: 'AAAA' },
      { type: 'input_audio_buffer.append', audio: 'BBBB' },
    ]);
    expect(ready).toHaveBeenCalledWith({ reconnected: false, gapMs: 0 });
    modelLink.appendAudio('CCCC', 20);
    expect(connections[0]!.sent.at(-1)).toEqual({ type: 'input_audio_buffer.append', audio: 'CCCC' });
    modelLink.close();
  });

  it("maps a position on each session's input-audio clock to when that audio reached callbridge, restarting with every session", () => {
    const modelLink = link();
    connections[0]!.accept();
    for (let frame = 0; frame < 50; frame++) {
      nowMs += 20;
      modelLink.appendAudio('AAAA', 20);
    }
    // One second appended, the last frame at 1000 ms: audio position 400 ms came 600 ms earlier.
    expect(modelLink.audioReceivedAtMs(400)).toBe(400);
    // A position the model reports beyond what was appended cannot be later than now.
    expect(modelLink.audioReceivedAtMs(5000)).toBe(1000);

    connections[0]!.drop();
    nowMs = 1040;
    modelLink.appendAudio('HELD', 20);
    nowMs = 1060;
    modelLink.appendAudio('HELD', 20);
    vi.advanceTimersByTime(125);
    connections[1]!.accept();
    nowMs = 1080;
    modelLink.appendAudio('CCCC', 20);
    // The new session's clock starts at its first (held) audio: 60 ms appended, 20 ms of it came at 1040.
    expect(modelLink.audioReceivedAtMs(20)).toBe(1040);
    modelLink.close();
  });

  it('holds at most holdLimitMs of audio, dropping the oldest and counting it', () => {
    const modelLink = link();
    const dropped: number[] = [];
    modelLink.on('droppedAudio', (ms) => dropped.push(ms));
    for (const audio of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7']) modelLink.appendAudio(audio, 20);
    expect(dropped).toEqual([20, 20]);
    connections[0]!.accept();
    expect(connections[0]!.sent.slice(1).map((event) => (event as { audio: string }).audio)).toEqual(['A3', 'A4', 'A5', 'A6', 'A7']);
    modelLink.close();
  });

  it('reconnects after a drop with backoff and jitter, seeding the new session before flushing audio', () => {
    const modelLink = link();
    const events: string[] = [];
    modelLink.on('lost', () => events.push('lost'));
    modelLink.on('ready', (info) => events.push(`ready ${info.reconnected} ${info.gapMs}`));
    connections[0]!.accept();
    nowMs = 1000;
    connections[0]!.drop();
    modelLink.appendAudio('HELD', 20);

    // Equal jitter with random() = 0: half of the 250 ms ceiling.
    vi.advanceTimersByTime(124);
    expect(connections).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(connections).toHaveLength(2);
    nowMs = 1300;
    connections[1]!.accept();

    expect(types(connections[1]!)).toEqual(['session.update', 'conversation.item.create', 'input_audio_buffer.append']);
    expect(events).toEqual(['ready false 0', 'lost', 'ready true 300']);
    modelLink.close();
  });

  it('doubles the backoff per failed attempt and gives up after the configured attempts', () => {
    const modelLink = link();
    const failed = vi.fn();
    modelLink.on('failed', failed);
    connections[0]!.accept();
    connections[0]!.drop();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = connections.length;
      let waited = 0;
      while (connections.length === before) {
        vi.advanceTimersByTime(1);
        waited++;
      }
      delays.push(waited);
      connections.at(-1)!.drop();
    }
    expect(delays).toEqual([125, 250, 500]);
    expect(failed).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(connections).toHaveLength(4);
    modelLink.appendAudio('AAAA', 20);
    expect(modelLink.send({ type: 'response.create' })).toBe(false);
  });

  it('counts a session that never gets configured as a failed attempt', () => {
    const modelLink = link();
    vi.advanceTimersByTime(10_000);
    expect(connections[0]!.closedByUs).toBe(true);
    vi.advanceTimersByTime(125);
    expect(connections).toHaveLength(2);
    modelLink.close();
  });

  it('rotates to a new session at the first quiet moment after the maximum duration', () => {
    const modelLink = link({ maxSessionMs: 5000 });
    const lost = vi.fn();
    modelLink.on('lost', lost);
    connections[0]!.accept();
    quiet = false;
    vi.advanceTimersByTime(5000);
    vi.advanceTimersByTime(1000);
    expect(connections).toHaveLength(1);
    quiet = true;
    vi.advanceTimersByTime(250);
    expect(connections[0]!.closedByUs).toBe(true);
    expect(lost).toHaveBeenCalledWith({ code: 0, reason: 'rotation', byUs: true });
    expect(connections).toHaveLength(2);
    connections[1]!.accept();
    expect(types(connections[1]!)).toEqual(['session.update', 'conversation.item.create']);
    modelLink.close();
  });

  it('closes everything it opened and starts nothing afterwards', () => {
    const modelLink = link();
    connections[0]!.accept();
    connections[0]!.drop();
    modelLink.close();
    vi.advanceTimersByTime(60_000);
    expect(connections).toHaveLength(1);
    const second = link();
    second.close();
    expect(connections[1]!.closedByUs).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(connections).toHaveLength(2);
  });
});
