import { describe, expect, it } from 'vitest';
import { Transcript, type Turn } from '../../../src/conversation/transcript.js';

function record(transcript: Transcript) {
  const turns: Turn[] = [];
  const updates: Turn[] = [];
  transcript.on('turn', (turn) => turns.push(turn));
  transcript.on('turnUpdated', (turn) => updates.push(turn));
  return { turns, updates };
}

describe('Transcript', () => {
  const at = new Date('2026-11-23T10:00:00Z');

  it('orders turns by when the server announced their items, not when their text arrived', () => {
    const transcript = new Transcript(() => at);
    const { turns } = record(transcript);
    transcript.noteItem('user_1');
    transcript.noteItem('bot_1');
    transcript.assistantGenerated('bot_1', 'Hello there.');
    transcript.assistantDone('bot_1');
    transcript.userSaid('user_1', 'Hi, my order please.');

    expect(turns.map((turn) => [turn.seq, turn.role])).toEqual([
      [2, 'assistant'],
      [1, 'user'],
    ]);
    expect(transcript.turns().map((turn) => turn.itemId)).toEqual(['user_1', 'bot_1']);
  });

  it('completes an assistant turn only when its response is done, with what was heard if interrupted', () => {
    const transcript = new Transcript(() => at);
    const { turns } = record(transcript);
    transcript.assistantGenerated('bot_1', 'One two three four.');
    expect(turns).toHaveLength(0);
    transcript.assistantInterrupted('bot_1', 500, 1000);
    transcript.assistantDone('bot_1');
    expect(turns).toEqual([
      { seq: 1, itemId: 'bot_1', role: 'assistant', text: 'One two three four.', heardText: 'One two', interrupted: true, at },
    ]);
  });

  it('updates a completed assistant turn that is cut off later, while still playing', () => {
    const transcript = new Transcript(() => at);
    const { turns, updates } = record(transcript);
    transcript.assistantGenerated('bot_1', 'One two three four.');
    transcript.assistantDone('bot_1');
    expect(turns[0]).toMatchObject({ heardText: 'One two three four.', interrupted: false });
    transcript.assistantInterrupted('bot_1', 250, 1000);
    expect(updates).toEqual([expect.objectContaining({ itemId: 'bot_1', heardText: 'One', interrupted: true })]);
    expect(transcript.turns()[0]).toMatchObject({ heardText: 'One', interrupted: true });
  });

  it('carries a timing measured before its turn completed, and updates a completed turn when it is timed', () => {
    const transcript = new Transcript(() => at);
    const { turns, updates } = record(transcript);
    transcript.timed('user_1', { speechStartedMs: 100, speechEndedMs: 900 });
    transcript.userSaid('user_1', 'Hi.');
    expect(turns[0]!.timing).toEqual({ speechStartedMs: 100, speechEndedMs: 900 });

    transcript.assistantGenerated('bot_1', 'Hello.');
    transcript.assistantDone('bot_1');
    expect(turns[1]!.timing).toBeUndefined();
    transcript.timed('bot_1', { speechStartedMs: 1, speechEndedMs: 2 });
    expect(updates).toMatchObject([{ itemId: 'bot_1', timing: { speechStartedMs: 1 } }]);
    expect(transcript.turns()[1]!.timing).toEqual({ speechStartedMs: 1, speechEndedMs: 2 });
  });

  it('skips empty user transcripts and never emits a turn twice', () => {
    const transcript = new Transcript(() => at);
    const { turns } = record(transcript);
    transcript.userSaid('user_1', '   ');
    transcript.userSaid('user_2', 'Yes.');
    transcript.userSaid('user_2', 'Yes.');
    transcript.assistantGenerated('bot_1', 'Ok.');
    transcript.assistantDone('bot_1');
    transcript.assistantDone('bot_1');
    expect(turns.map((turn) => turn.itemId)).toEqual(['user_2', 'bot_1']);
  });
});
