import type { CallSession } from '../../src/call/call-session.js';
import { callerClip } from '../../src/sim/assets.js';
import { startOfflineStack } from '../../src/sim/offline-stack.js';
import { bargeInCall } from '../../src/sim/scenarios.js';
import { percentile } from '../lib/stats.js';
import type { BenchSection } from './report.js';

/** Calls run at once; each interrupts the long answer after a different amount of playback. */
const INTERRUPT_AFTER_MS = [900, 1200, 1500, 1800, 2100, 2400];

interface Measurement {
  /** speech_started handled -> clear written to Twilio's socket, inside callbridge. */
  reactionMs: number;
  /** Simulator emits speech_started -> the caller's Twilio buffer is cleared (both sockets included). */
  endToEndMs: number;
  /** |audio_end_ms sent to the model - audio the caller had actually played|. */
  truncationErrorMs: number;
}

/**
 * Barge-in in real time against the simulators: the caller talks over the bot's long answer and we
 * measure how fast playback stops and how exactly the model is told what was heard.
 */
export async function benchBargeIn(): Promise<BenchSection> {
  const stack = await startOfflineStack({ simulator: { scenario: bargeInCall, timing: { speed: 1.5, cancelLagMs: 150 } } });
  const sessions = new Map<string, CallSession>();
  stack.server.registry.on('call', (session) => sessions.set(session.callSid, session));
  try {
    const measurements = await Promise.all(
      INTERRUPT_AFTER_MS.map(async (interruptAfterMs, index): Promise<Measurement> => {
        const caller = await stack.caller().dial();
        const sim = stack.simulator.sessions[index]!;
        const session = sessions.get(caller.callSid)!;
        let reactionMs = Number.NaN;
        session.once('bargeIn', (bargeIn) => (reactionMs = bargeIn.reactionMs));
        await caller.waitForBotReply(1);
        await caller.say(callerClip('en-order-status').mulaw);
        await caller.waitForBotPlayed(1, interruptAfterMs);
        await caller.say(callerClip('en-interrupt').mulaw);
        await caller.hangUp();
        const cut = caller.botTurns[1]?.cleared;
        const truncate = sim.receivedOf('conversation.item.truncate')[0];
        const speechStartedAtMs = sim.speechStartsAtMs[1];
        if (!cut || !truncate || speechStartedAtMs === undefined) throw new Error('the interruption did not happen');
        return {
          reactionMs,
          endToEndMs: cut.atMs - speechStartedAtMs,
          truncationErrorMs: Math.abs(Number(truncate.event['audio_end_ms']) - cut.playedMs),
        };
      }),
    );
    const column = (key: keyof Measurement) => measurements.map((measurement) => measurement[key]);
    const summary = (values: number[], digits: number) =>
      `median ${percentile(values, 50).toFixed(digits)} ms, max ${Math.max(...values).toFixed(digits)} ms`;
    const note = `${measurements.length} concurrent calls interrupted after ${INTERRUPT_AFTER_MS[0]}-${INTERRUPT_AFTER_MS.at(-1)} ms of playback`;
    return {
      title: 'Barge-in (real-time calls against the simulators)',
      rows: [
        { metric: 'Reaction inside callbridge', value: summary(column('reactionMs'), 3), note: 'speech_started handled -> Twilio clear written, same event-loop turn' },
        { metric: 'Reaction end to end', value: summary(column('endToEndMs'), 2), note: 'simulator emits speech_started -> caller\'s playback buffer cleared, over loopback sockets' },
        { metric: 'Truncation error', value: summary(column('truncationErrorMs'), 1), note: `|audio_end_ms - audio the caller had played|, bar 60 ms; ${note}` },
      ],
    };
  } finally {
    await stack.close();
  }
}
