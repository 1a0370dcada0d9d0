import { describe, expect, it } from 'vitest';
import { CallerPlayback } from '../../../src/sim/caller/playback.js';

const FRAME = 160;

function playback() {
  let nowMs = 0;
  const echoed: string[] = [];
  const player = new CallerPlayback(() => nowMs, (name) => echoed.push(name));
  return { player, echoed, setNow: (ms: number) => (nowMs = ms) };
}

describe("the simulated caller's playback (Twilio's side)", () => {
  it('echoes a mark only once the audio sent before it has played, one 20 ms frame per tick', () => {
    const { player, echoed } = playback();
    player.media(Buffer.alloc(FRAME * 2, 0x11), 0);
    player.mark('after-two-frames');
    expect(echoed).toEqual([]);
    player.playFrame();
    expect(echoed).toEqual([]);
    expect(player.bufferedBytes).toBe(FRAME);
    player.playFrame();
    expect(echoed).toEqual(['after-two-frames']);
    expect(player.botTurns).toEqual([{ firstAudioAtMs: 0, receivedMs: 40, playedMs: 40 }]);
  });

  it('echoes a mark at once when nothing is left to play', () => {
    const { player, echoed } = playback();
    player.mark('idle');
    expect(echoed).toEqual(['idle']);
  });

  it('on clear, drops what has not played, echoes every pending mark, and records how much of the turn was heard', () => {
    const { player, echoed, setNow } = playback();
    player.media(Buffer.alloc(FRAME * 5, 0x11), 0);
    player.mark('a');
    player.media(Buffer.alloc(FRAME, 0x22), 0);
    player.mark('b');
    player.playFrame();
    setNow(20);
    player.clear(20);
    expect(echoed).toEqual(['a', 'b']);
    expect(player.bufferedBytes).toBe(0);
    expect(player.clears).toEqual([20]);
    expect(player.botTurns[0]!.cleared).toEqual({ atMs: 20, playedMs: 20 });
    player.playFrame();
    expect(player.botTurns[0]!.playedMs).toBe(20);
  });

  it('starts a new bot turn when audio follows more than 100 ms of nothing to play', () => {
    const { player, setNow } = playback();
    player.media(Buffer.alloc(FRAME, 0x11), 0);
    setNow(20);
    player.playFrame();
    player.media(Buffer.alloc(FRAME, 0x11), 80);
    expect(player.botTurns).toHaveLength(1);
    player.playFrame();
    setNow(300);
    player.playFrame();
    player.media(Buffer.alloc(FRAME, 0x11), 300);
    expect(player.botTurns.map((turn) => turn.firstAudioAtMs)).toEqual([0, 300]);
  });
});
