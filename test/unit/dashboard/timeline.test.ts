import { describe, expect, it } from 'vitest';
import { timelineSpans } from '../../../public/timeline.js';
import type { TurnJson } from '../../../src/http/api-types.js';

const AT = '2024-05-01T09:00:00.000Z';
const base = { itemId: 'item', text: '', heardText: '', interrupted: false, at: AT, keys: null, tool: null } satisfies Partial<TurnJson>;
const botTiming = {
  responseId: 'resp',
  speechEndedMs: null,
  responseCreatedMs: 100,
  firstDeltaMs: 500,
  sentMs: 520,
  heardMs: 600,
  responseDoneMs: 3_000,
  audioMs: 2_000,
  toolMs: null,
  modelLatencyMs: 400,
  bridgeLatencyMs: 20,
  playbackStartMs: 80,
  totalMs: 500,
};

describe('timelineSpans', () => {
  it('draws caller speech, the wait before each answer, tool time, and the bot cut short where the caller barged in', () => {
    const turns: TurnJson[] = [
      { ...base, seq: 0, role: 'assistant', timing: botTiming },
      { ...base, seq: 1, role: 'user', timing: { speechStartedMs: 3_000, speechEndedMs: 4_000 } },
      { ...base, seq: 2, role: 'tool', timing: null },
      { ...base, seq: 3, role: 'assistant', interrupted: true, timing: { ...botTiming, speechEndedMs: 4_000, responseCreatedMs: 4_800, heardMs: 5_500, toolMs: 300, totalMs: 1_500, audioMs: 4_000 } },
      { ...base, seq: 4, role: 'user', timing: { speechStartedMs: 7_000, speechEndedMs: 8_000 } },
    ];
    expect(timelineSpans(turns)).toEqual({
      caller: [
        { seq: 1, startMs: 3_000, endMs: 4_000 },
        { seq: 4, startMs: 7_000, endMs: 8_000 },
      ],
      bot: [
        { seq: 0, startMs: 600, endMs: 2_600, interrupted: false },
        { seq: 3, startMs: 5_500, endMs: 7_000, interrupted: true },
      ],
      waits: [
        { seq: 0, startMs: 100, endMs: 600, totalMs: 500 },
        { seq: 3, startMs: 4_000, endMs: 5_500, totalMs: 1_500 },
      ],
      tools: [{ seq: 3, startMs: 4_500, endMs: 4_800 }],
      bargeIns: [{ seq: 3, atMs: 7_000 }],
    });
  });

  it('skips a bot turn never sent, and waits for one never heard', () => {
    const turns: TurnJson[] = [
      { ...base, seq: 0, role: 'assistant', timing: { ...botTiming, sentMs: null, heardMs: null } },
      { ...base, seq: 1, role: 'assistant', timing: { ...botTiming, heardMs: null } },
      { ...base, seq: 2, role: 'assistant', timing: null },
    ];
    const spans = timelineSpans(turns);
    expect(spans.bot).toEqual([{ seq: 1, startMs: 520, endMs: 2_520, interrupted: false }]);
    expect(spans.waits).toEqual([]);
  });
});
