import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { silentLogger } from '../../../src/log.js';
import { TwilioMediaStream } from '../../../src/telephony/media-stream.js';
import { STREAM_SID, startMessage } from '../../support/twilio-messages.js';

/** The socket as the stream uses it: what was sent, pinged and closed, and a send buffer the test sets. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  pings = 0;
  closedWith: number | undefined;
  send(text: string): void {
    this.sent.push(text);
  }
  ping(): void {
    this.pings++;
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  frame(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
}

function started(options: ConstructorParameters<typeof TwilioMediaStream>[2] = {}) {
  const socket = new FakeSocket();
  const stream = new TwilioMediaStream(socket as unknown as WebSocket, silentLogger(), options);
  socket.frame(startMessage());
  return { socket, stream };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TwilioMediaStream bounds', () => {
  it('drops bot audio while the phone side is not reading, never queueing it without bound; a clear always goes', () => {
    const { socket, stream } = started({ maxBufferedBytes: 1000 });
    const dropped: number[] = [];
    stream.on('dropped', ({ bufferedBytes }) => dropped.push(bufferedBytes));
    expect(stream.sendMedia('AAAA')).toBe(true);
    socket.bufferedAmount = 5000;
    expect(stream.sendMedia('AAAA')).toBe(false);
    expect(stream.sendMedia('AAAA')).toBe(false);
    stream.clear();
    expect(dropped).toEqual([5000, 5000]);
    expect(socket.sent.map((text) => (JSON.parse(text) as { event: string }).event)).toEqual(['media', 'clear']);
    socket.bufferedAmount = 0;
    expect(stream.sendMedia('AAAA')).toBe(true);
    expect(JSON.parse(socket.sent.at(-1)!)).toEqual({ event: 'media', streamSid: STREAM_SID, media: { payload: 'AAAA' } });
  });

  it('ends a stream that sends no frame for the silence timeout, and pings the link meanwhile', () => {
    vi.useFakeTimers();
    const { socket, stream } = started({ silenceTimeoutMs: 3000, pingIntervalMs: 1000 });
    const silent: number[] = [];
    const closed: unknown[] = [];
    stream.on('silent', (ms) => silent.push(ms));
    stream.on('closed', (info) => closed.push(info));
    vi.advanceTimersByTime(2000);
    socket.frame({ event: 'mark', sequenceNumber: '3', streamSid: STREAM_SID, mark: { name: 'cb1' } });
    vi.advanceTimersByTime(2500);
    expect(silent).toEqual([]);
    expect(socket.pings).toBeGreaterThanOrEqual(3);
    vi.advanceTimersByTime(1000);
    expect(silent).toHaveLength(1);
    expect(silent[0]).toBeGreaterThanOrEqual(3000);
    expect(socket.closedWith).toBe(1001);
    expect(closed).toEqual([{ code: 1001, reason: 'media stream silent' }]);
  });
});
