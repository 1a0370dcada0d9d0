import { describe, expect, it } from 'vitest';
import { botTiming, callerTiming, keepEnding, storedTurn, turnToShow, withEnding } from '../../../public/call-model.js';
import type { CallListItemJson, LiveEventsJson, TurnJson } from '../../../src/http/api-types.js';

const STARTED_AT = '2024-05-01T09:00:00.000Z';

const call = (fields: Partial<CallListItemJson> = {}): CallListItemJson => ({
  callSid: 'CA01',
  status: 'in-progress',
  startedAt: STARTED_AT,
  endedAt: null,
  from: '+14155550100',
  to: '+15005550006',
  direction: 'inbound',
  durationMs: null,
  summary: null,
  ...fields,
});

const turn = (fields: Partial<TurnJson> = {}): TurnJson => ({
  seq: 1,
  role: 'assistant',
  text: 'Your order has shipped and should arrive tomorrow.',
  heardText: 'Your order has shipped',
  interrupted: true,
  itemId: 'item_1',
  at: STARTED_AT,
  keys: null,
  tool: null,
  timing: null,
  ...fields,
});

const BOT_TIMING = {
  responseId: 'resp_1',
  speechEndedMs: 2_000,
  responseCreatedMs: 2_100,
  firstDeltaMs: 2_500,
  sentMs: 2_520,
  heardMs: 2_600,
  responseDoneMs: 4_000,
  audioMs: 3_000,
  toolMs: null,
  modelLatencyMs: 500,
  bridgeLatencyMs: 20,
  playbackStartMs: 80,
  totalMs: 600,
} satisfies NonNullable<TurnJson['timing']>;

describe('what the dashboard knows of a call', () => {
  const ended = call({ status: 'completed', endedAt: '2024-05-01T09:01:00.000Z', durationMs: 60_000 });

  it('keeps an ending the live feed announced when a read still says in progress', () => {
    const stale = call({ summary: 'newer field' });
    expect(keepEnding(ended, stale)).toEqual({ ...stale, status: 'completed', endedAt: ended.endedAt, durationMs: 60_000, endReason: undefined });
  });

  it('takes a fresh read that has ended, or any read of a call not known to have ended', () => {
    const fresh = call({ status: 'failed', endedAt: '2024-05-01T09:00:30.000Z', durationMs: 30_000 });
    expect(keepEnding(ended, fresh)).toBe(fresh);
    const inProgress = call({ summary: 'x' });
    expect(keepEnding(call(), inProgress)).toBe(inProgress);
  });

  it('ends a call as the feed says, its duration measured from its start', () => {
    const event: LiveEventsJson['call-ended'] = { callSid: 'CA01', status: 'completed', endedAt: '2024-05-01T09:00:42.000Z', endReason: 'caller hung up' };
    expect(withEnding(call(), event)).toEqual(call({ status: 'completed', endedAt: event.endedAt, durationMs: 42_000 }));
  });

  it('stores a live turn as the API does: no CallSid, and null where a field is unset', () => {
    const live: LiveEventsJson['turn'] = { callSid: 'CA01', seq: 2, role: 'user', itemId: 'item_2', text: 'hi', heardText: 'hi', interrupted: false, at: STARTED_AT };
    expect(storedTurn(live)).toEqual({ seq: 2, role: 'user', itemId: 'item_2', text: 'hi', heardText: 'hi', interrupted: false, at: STARTED_AT, keys: null, tool: null, timing: null });
  });

  it('never replaces an interrupted turn by its uncut version, but takes the timing that came later', () => {
    const cut = turn();
    const uncut = turn({ interrupted: false, heardText: cut.text });
    expect(turnToShow(cut, uncut)).toBeNull();
    expect(turnToShow(cut, { ...uncut, timing: BOT_TIMING })).toEqual({ ...cut, timing: BOT_TIMING });
    expect(turnToShow({ ...cut, timing: BOT_TIMING }, { ...uncut, timing: { ...BOT_TIMING, totalMs: 1 } })).toBeNull();
  });

  it('shows any other turn as it arrives', () => {
    const next = turn({ itemId: 'item_other', interrupted: false });
    expect(turnToShow(turn(), next)).toBe(next);
    expect(turnToShow(undefined, turn())).toEqual(turn());
  });

  it('tells bot timings from caller timings', () => {
    const callerSpeech = { speechStartedMs: 1_000, speechEndedMs: 2_000 };
    expect(botTiming(turn({ timing: BOT_TIMING }))).toBe(BOT_TIMING);
    expect(botTiming(turn({ role: 'user', timing: callerSpeech }))).toBeNull();
    expect(callerTiming(turn({ role: 'user', timing: callerSpeech }))).toBe(callerSpeech);
    expect(callerTiming(turn({ timing: BOT_TIMING }))).toBeNull();
    expect(callerTiming(turn({ role: 'user', timing: null }))).toBeNull();
  });
});
