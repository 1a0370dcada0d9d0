import { describe, expect, it } from 'vitest';
import { callerClip, voiceClip } from '../../src/sim/assets.js';
import { bargeInCall } from '../../src/sim/scenarios.js';
import { metricValue, useHarness, waitFor } from '../support/harness.js';

// Barge-in must be as exact on the G.711 model link as on the transcoded one.
describe.concurrent.each(['audio/pcm', 'audio/pcmu'])('barge-in, measured with a caller playing audio in real time (model audio %s)', (format) => {
  const fixture = useHarness({
    // Generation only a little faster than real time, so the long answer is still being generated
    // when the caller interrupts; cancellations land 150 ms late, as in-flight deltas would.
    simulator: { scenario: bargeInCall, timing: { speed: 1.5, cancelLagMs: 150 } },
    env: { REALTIME_AUDIO_FORMAT: format },
  });

  it('clears at once, truncates at what the caller heard, cancels, and lets nothing stale through', async () => {
    const { harness, api } = fixture;
    const caller = await harness.caller().dial();
    await caller.waitForBotReply(1);
    await caller.say(callerClip('en-order-status').mulaw);
    await caller.waitForBotPlayed(1, 1500);
    const interruption = caller.say(callerClip('en-interrupt').mulaw);
    await waitFor(() => caller.clears.length > 0, 'the clear');
    await interruption;
    await caller.waitForBotReply(3);

    const sim = harness.simulator.sessions[0]!;
    const audio = sim.receivedOf('session.update')[0]!.event['session'] as { audio: { input: { format: { type: string } }; output: { format: { type: string } } } };
    expect([audio.audio.input.format.type, audio.audio.output.format.type]).toEqual([format, format]);
    const [, longAnswer, apology] = sim.responses;
    expect(longAnswer!.reply).toBe('long-en');
    expect(longAnswer!.status).toBe('cancelled');
    expect(apology!.reply).toBe('sorry-en');

    // The caller heard about 1.5 s of the long answer, then the buffer was cleared.
    const cut = caller.botTurns[1]!.cleared!;
    expect(cut).toBeDefined();
    expect(cut.playedMs).toBeGreaterThan(1500);
    expect(cut.playedMs).toBeLessThan(voiceClip('long-en').pcm.length / 24);

    // The model was told exactly that: the truncation point is within 60 ms of what played.
    const truncations = sim.receivedOf('conversation.item.truncate');
    expect(truncations).toHaveLength(1);
    const audioEndMs = Number(truncations[0]!.event['audio_end_ms']);
    expect(Math.abs(audioEndMs - cut.playedMs)).toBeLessThanOrEqual(60);
    const truncatedItem = sim.items.find((item) => item.id === truncations[0]!.event['item_id']);
    expect(truncatedItem?.role).toBe('assistant');

    // The response was still generating, so it was cancelled (the simulator's VAD may have beaten us to it).
    const cancels = sim.receivedOf('response.cancel');
    expect(cancels).toHaveLength(1);
    expect(cancels[0]!.event['response_id']).toBe(longAnswer!.id);

    // Deltas of the cancelled answer kept coming after the interruption; none reached the caller.
    const speechStartedAt = sim.receivedOf('response.cancel')[0]!.atMs;
    const lateDeltas = sim.deltasSent.filter((delta) => delta.responseId === longAnswer!.id && delta.atMs >= speechStartedAt);
    expect(lateDeltas.length).toBeGreaterThan(0);
    const staleMedia = caller.received.filter((media) => media.atMs > cut.atMs && media.atMs < apology!.createdAtMs);
    expect(staleMedia).toEqual([]);
    expect(metricValue(await harness.metrics(), 'callbridge_dropped_audio_ms_total', { reason: 'interrupted' })).toBeGreaterThan(0);

    // The transcript says what the caller heard, and keeps what was generated.
    await caller.hangUp();
    const stored = await api.waitForCall(caller.callSid, (call) => call.status === 'completed', 'the call to be stored');
    const { turns } = stored;
    const answer = turns.find((turn) => turn.itemId === truncations[0]!.event['item_id'])!;
    expect(turns.indexOf(answer)).toBe(2);
    expect(answer.interrupted).toBe(true);
    expect(answer.text.startsWith(answer.heardText)).toBe(true);
    expect(answer.heardText.length).toBeGreaterThan(0);
    expect(answer.heardText.length).toBeLessThan(answer.text.length);
    expect(turns[3]).toMatchObject({ role: 'user', text: callerClip('en-interrupt').transcript });
    expect(turns[4]).toMatchObject({ role: 'assistant', interrupted: false, text: voiceClip('sorry-en').text });

    // The apology itself was heard in full after the clear.
    expect(caller.botTurns[2]!.playedMs).toBeGreaterThan(2500);
    expect(stored.figures?.['bargeIns']).toBe(1);
  });
});
