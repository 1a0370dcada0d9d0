import { describe, expect, it } from 'vitest';
import { BargeInController } from '../../../src/call/barge-in.js';
import { PlaybackTracker } from '../../../src/call/playback-tracker.js';

/** Feeds a delta through the controller and, when forwarded, "sends" it to Twilio at `nowMs`. */
function deliver(
  bargeIn: BargeInController,
  tracker: PlaybackTracker,
  responseId: string,
  itemId: string,
  ms: number,
  nowMs: number,
): string | undefined {
  if (bargeIn.onAudioDelta(responseId, itemId, ms) === 'drop') return undefined;
  return tracker.recordSent(itemId, ms, nowMs);
}

function setup() {
  const tracker = new PlaybackTracker();
  return { tracker, bargeIn: new BargeInController(tracker) };
}

describe('BargeInController', () => {
  it('mid-item: clears first, truncates at the heard position, cancels the live response', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    const marks = [0, 1, 2, 3].map(() => deliver(bargeIn, tracker, 'resp_1', 'item_1', 500, 0)!);
    tracker.onMark(marks[2]!, 1500);

    const { commands, interrupted } = bargeIn.onSpeechStarted(1540);

    expect(commands).toEqual([
      { kind: 'clear' },
      { kind: 'truncate', itemId: 'item_1', audioEndMs: 1540 },
      { kind: 'cancel', responseId: 'resp_1' },
    ]);
    expect(interrupted).toEqual([{ itemId: 'item_1', responseId: 'resp_1', heardMs: 1540 }]);
  });

  it('never truncates beyond what was sent, however late the speech event', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    deliver(bargeIn, tracker, 'resp_1', 'item_1', 300, 0);
    const { commands } = bargeIn.onSpeechStarted(10_000);
    expect(commands).toContainEqual({ kind: 'truncate', itemId: 'item_1', audioEndMs: 300 });
  });

  it('between two items of one response: the first fully heard is left alone, the second truncated at 0', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    const first = deliver(bargeIn, tracker, 'resp_1', 'item_1', 1000, 0)!;
    bargeIn.onAudioDone('item_1');
    deliver(bargeIn, tracker, 'resp_1', 'item_2', 800, 5);
    tracker.onMark(first, 1000);

    const { commands, interrupted } = bargeIn.onSpeechStarted(1000);

    expect(commands).toEqual([
      { kind: 'clear' },
      { kind: 'truncate', itemId: 'item_2', audioEndMs: 0 },
      { kind: 'cancel', responseId: 'resp_1' },
    ]);
    expect(interrupted.map((item) => item.itemId)).toEqual(['item_2']);
  });

  it('after playback finished: does nothing audible', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    const mark = deliver(bargeIn, tracker, 'resp_1', 'item_1', 800, 0)!;
    bargeIn.onAudioDone('item_1');
    bargeIn.onResponseDone('resp_1');
    tracker.onMark(mark, 800);

    expect(bargeIn.onSpeechStarted(2000)).toEqual({ commands: [], interrupted: [], settled: [] });
    expect(bargeIn.botIsSpeaking).toBe(false);
  });

  it('while a finished response still plays at Twilio: clears and truncates, no cancel', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    deliver(bargeIn, tracker, 'resp_1', 'item_1', 3000, 0);
    bargeIn.onAudioDone('item_1');
    bargeIn.onResponseDone('resp_1');

    const { commands } = bargeIn.onSpeechStarted(1200);

    expect(commands).toEqual([{ kind: 'clear' }, { kind: 'truncate', itemId: 'item_1', audioEndMs: 1200 }]);
  });

  it('before any audio was sent: cancels the response but sends no clear and no truncate', () => {
    const { bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    expect(bargeIn.onSpeechStarted(100).commands).toEqual([{ kind: 'cancel', responseId: 'resp_1' }]);
  });

  it('drops late deltas of the interrupted response and, at its end, truncates items never heard to 0', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    deliver(bargeIn, tracker, 'resp_1', 'item_1', 500, 0);
    bargeIn.onSpeechStarted(200);

    expect(bargeIn.onAudioDelta('resp_1', 'item_1', 100)).toBe('drop');
    expect(bargeIn.onAudioDelta('resp_1', 'item_2', 100)).toBe('drop');
    expect(bargeIn.receivedMs('item_1')).toBe(600);

    const done = bargeIn.onResponseDone('resp_1');
    expect(done.commands).toEqual([{ kind: 'truncate', itemId: 'item_2', audioEndMs: 0 }]);
    expect(done.interrupted).toEqual([{ itemId: 'item_2', responseId: 'resp_1', heardMs: 0 }]);
    // The next response plays normally.
    bargeIn.onResponseCreated('resp_2');
    expect(bargeIn.onAudioDelta('resp_2', 'item_3', 100)).toBe('forward');
  });

  it('ignores echoes of cleared marks: they never move the heard position of new audio', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    const cleared = [deliver(bargeIn, tracker, 'resp_1', 'item_1', 1000, 0)!, deliver(bargeIn, tracker, 'resp_1', 'item_1', 1000, 0)!];
    bargeIn.onSpeechStarted(300);
    bargeIn.onResponseDone('resp_1');

    bargeIn.onResponseCreated('resp_2');
    deliver(bargeIn, tracker, 'resp_2', 'item_2', 1000, 2000);
    for (const name of cleared) expect(tracker.onMark(name, 2010)).toEqual({ kind: 'stale' });

    expect(tracker.heardMs('item_2', 2100)).toBe(100);
    expect(bargeIn.onSpeechStarted(2100).commands).toContainEqual({ kind: 'truncate', itemId: 'item_2', audioEndMs: 100 });
  });

  it('two interruptions in a row: the second finds nothing left to stop', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    deliver(bargeIn, tracker, 'resp_1', 'item_1', 2000, 0);

    expect(bargeIn.onSpeechStarted(700).commands).toHaveLength(3);
    expect(bargeIn.onSpeechStarted(900)).toEqual({ commands: [], interrupted: [], settled: [] });

    // A new reply can itself be interrupted.
    bargeIn.onResponseDone('resp_1');
    bargeIn.onResponseCreated('resp_2');
    deliver(bargeIn, tracker, 'resp_2', 'item_2', 2000, 3000);
    expect(bargeIn.onSpeechStarted(3400).commands).toEqual([
      { kind: 'clear' },
      { kind: 'truncate', itemId: 'item_2', audioEndMs: 400 },
      { kind: 'cancel', responseId: 'resp_2' },
    ]);
  });

  it('forgets a finished response only once none of its audio is pending', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    const mark = deliver(bargeIn, tracker, 'resp_1', 'item_1', 500, 0)!;
    bargeIn.onAudioDone('item_1');
    expect(bargeIn.forgetResponse('resp_1')).toBe(false);
    bargeIn.onResponseDone('resp_1');
    expect(bargeIn.forgetResponse('resp_1')).toBe(false);
    tracker.onMark(mark, 500);
    expect(bargeIn.forgetResponse('resp_1')).toBe(true);
    expect(bargeIn.receivedMs('item_1')).toBe(0);
  });

  it('settles an interruption when its response finishes: what was heard of the total, and which turns complete', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    bargeIn.onMessageItemAdded('resp_1', 'item_1');
    const marks = [0, 1, 2].map(() => deliver(bargeIn, tracker, 'resp_1', 'item_1', 500, 0)!);
    tracker.onMark(marks[0]!, 500);

    const speech = bargeIn.onSpeechStarted(600);
    expect(speech.settled).toEqual([]);
    deliver(bargeIn, tracker, 'resp_1', 'item_1', 500, 650);

    const done = bargeIn.onResponseDone('resp_1');
    expect(done.settled).toEqual([{ itemId: 'item_1', heardMs: 600, totalMs: 2000 }]);
    expect(done.completedItemIds).toEqual(['item_1']);
  });

  it('settles at once an interrupted item whose response had already finished generating', () => {
    const { tracker, bargeIn } = setup();
    bargeIn.onResponseCreated('resp_1');
    bargeIn.onMessageItemAdded('resp_1', 'item_1');
    deliver(bargeIn, tracker, 'resp_1', 'item_1', 1000, 0);
    bargeIn.onAudioDone('item_1');
    expect(bargeIn.onResponseDone('resp_1').settled).toEqual([]);

    const speech = bargeIn.onSpeechStarted(400);
    expect(speech.settled).toEqual([{ itemId: 'item_1', heardMs: 400, totalMs: 1000 }]);
  });
});
