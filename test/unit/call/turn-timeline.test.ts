import { describe, expect, it } from 'vitest';
import { TurnTimeline, type BotTurn } from '../../../src/call/turn-timeline.js';
import type { Turn } from '../../../src/conversation/transcript.js';
import { silentLogger } from '../../../src/log.js';
import type { RealtimeServerEvent } from '../../../src/realtime/server-events.js';

/** Only the fields the timeline reads; the real schemas carry more. */
const ev = (event: Record<string, unknown>) => ({ event_id: 'e', ...event }) as unknown as RealtimeServerEvent;
const speechStarted = (itemId: string, audioMs: number) => ev({ type: 'input_audio_buffer.speech_started', item_id: itemId, audio_start_ms: audioMs });
const speechStopped = (itemId: string, audioMs: number) => ev({ type: 'input_audio_buffer.speech_stopped', item_id: itemId, audio_end_ms: audioMs });
const created = (id: string) => ev({ type: 'response.created', response: { id } });
const delta = (responseId: string, itemId: string) =>
  ev({ type: 'response.output_audio.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: '' });
const done = (id: string) => ev({ type: 'response.done', response: { id } });

function setup() {
  let nowMs = 1000;
  const timed: [string, NonNullable<Turn['timing']>][] = [];
  const turns: BotTurn[] = [];
  const timeline = new TurnTimeline({
    now: () => nowMs,
    startedAtMs: 1000,
    // The model's audio clock started with the call and runs in real time.
    audioReceivedAtMs: (audioMs) => 1000 + audioMs,
    sentAudioMs: () => 1250,
    transcript: { timed: (itemId, timing) => timed.push([itemId, timing]) },
    logger: silentLogger(),
    onBotTurn: (turn) => turns.push(turn),
  });
  const at = (ms: number) => {
    nowMs = 1000 + ms;
  };
  return { timeline, timed, turns, at };
}

describe('TurnTimeline', () => {
  it('times a spoken answer from the end of speech to the first echo, on the call clock', () => {
    const { timeline, timed, turns, at } = setup();
    at(1200);
    timeline.onModelEvent(speechStarted('u1', 600));
    at(2030);
    timeline.onModelEvent(speechStopped('u1', 2000));
    timeline.onModelEvent(created('r1'));
    at(2400);
    timeline.onModelEvent(delta('r1', 'a1'));
    at(2401);
    timeline.onItemSent('a1');
    timeline.onModelEvent(delta('r1', 'a1'));
    at(2520);
    timeline.onPlayed('a1');
    expect(turns).toEqual([]);
    at(3000);
    timeline.onPlayed('a1');
    timeline.onModelEvent(done('r1'));

    expect(timed[0]).toEqual(['u1', { speechStartedMs: 600, speechEndedMs: 2000 }]);
    expect(turns).toEqual([
      {
        itemId: 'a1',
        timing: {
          responseId: 'r1',
          speechEndedMs: 2000,
          responseCreatedMs: 2030,
          firstDeltaMs: 2400,
          sentMs: 2401,
          heardMs: 2520,
          responseDoneMs: 3000,
          audioMs: 1250,
          toolMs: null,
          modelLatencyMs: 400,
          bridgeLatencyMs: 1,
          playbackStartMs: 119,
          totalMs: 520,
        },
      },
    ]);
    expect(timed[1]).toEqual(['a1', turns[0]!.timing]);
  });

  it('waits for the echo when the response finishes first, and counts the tools run before the answer', () => {
    const { timeline, turns, at } = setup();
    at(1000);
    timeline.onModelEvent(speechStopped('u1', 1000));
    timeline.onModelEvent(created('r-tool'));
    at(1300);
    timeline.onModelEvent(done('r-tool'));
    at(1500);
    timeline.onToolCall(200);
    timeline.onModelEvent(created('r2'));
    at(1900);
    timeline.onModelEvent(delta('r2', 'a2'));
    timeline.onItemSent('a2');
    timeline.onModelEvent(done('r2'));
    expect(turns).toEqual([]);
    at(2000);
    timeline.onPlayed('a2');
    expect(turns[0]!.timing).toMatchObject({ speechEndedMs: 1000, responseCreatedMs: 1500, toolMs: 200, modelLatencyMs: 900, totalMs: 1000 });
  });

  it('measures a response that answers no speech (the greeting) from its creation', () => {
    const { timeline, turns, at } = setup();
    timeline.onModelEvent(created('r0'));
    at(250);
    timeline.onModelEvent(delta('r0', 'a0'));
    timeline.onItemSent('a0');
    at(300);
    timeline.onPlayed('a0');
    timeline.onModelEvent(done('r0'));
    expect(turns[0]!.timing).toMatchObject({ speechEndedMs: null, modelLatencyMs: 250, totalMs: 300 });
  });

  it('reports a response the caller spoke over before its start was heard as never heard, and gives it no question', () => {
    const { timeline, turns, at } = setup();
    timeline.onModelEvent(speechStopped('u1', 0));
    timeline.onModelEvent(created('r1'));
    at(100);
    timeline.onModelEvent(delta('r1', 'a1'));
    timeline.onItemSent('a1');
    at(150);
    timeline.onModelEvent(speechStarted('u2', 140));
    at(200);
    timeline.onModelEvent(done('r1'));
    timeline.onPlayed('a1');
    expect(turns).toHaveLength(1);
    expect(turns[0]!.timing).toMatchObject({ heardMs: null, playbackStartMs: null, totalMs: null, modelLatencyMs: 100 });
  });

  it('forgets the responses of a lost session, and reports finished ones still unheard when the call ends', () => {
    const { timeline, turns, at } = setup();
    timeline.onModelEvent(created('r1'));
    timeline.onModelEvent(delta('r1', 'a1'));
    timeline.onSessionLost();
    timeline.onModelEvent(done('r1'));
    expect(turns).toEqual([]);
    timeline.onModelEvent(created('r2'));
    at(100);
    timeline.onModelEvent(delta('r2', 'a2'));
    timeline.onItemSent('a2');
    timeline.onModelEvent(done('r2'));
    timeline.close();
    expect(turns.map((turn) => [turn.itemId, turn.timing.heardMs])).toEqual([['a2', null]]);
  });
});
