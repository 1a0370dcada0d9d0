import type { CallSession } from '../../src/call/call-session.js';
import { callerClip } from '../../src/sim/assets.js';
import { startOfflineStack, waitFor } from '../../src/sim/offline-stack.js';
import { continuingAcrossSessions, englishSupportCall } from '../../src/sim/scenarios.js';
import { percentile } from '../lib/stats.js';
import type { BenchSection } from './report.js';

const DROPS = 5;

/**
 * Long-call machinery against the simulators: an in-call summary (what it saves, what it costs) and
 * Realtime reconnects (how long the caller goes without a model).
 */
export async function benchLongCall(): Promise<BenchSection> {
  const stack = await startOfflineStack({
    simulator: { scenario: continuingAcrossSessions(englishSupportCall) },
    env: { SUMMARY_TRIGGER_TOKENS: '300', SUMMARY_KEEP_TURNS: '2' },
  });
  try {
    let session!: CallSession;
    // The first summary and the first usage reported after it, whatever later summaries do.
    let firstSummary: { tokensBefore: number; latencyMs: number } | undefined;
    let tokensAfter: number | undefined;
    stack.server.registry.on('call', (call) => {
      session = call;
      call.once('summary', (applied) => {
        firstSummary = applied;
        call.once('usage', (usage) => (tokensAfter = usage.total_tokens));
      });
    });
    const caller = await stack.caller().dial();
    await caller.waitForBotReply(1);
    for (const turn of englishSupportCall.turns.slice(0, 2)) {
      const before = caller.botTurns.length;
      await caller.say(callerClip(turn.callerClip).mulaw);
      await caller.waitForBotReply(before + 1);
    }
    await waitFor(() => firstSummary !== undefined, 'the summary');
    await caller.say(callerClip('en-goodbye').mulaw);
    await caller.waitForBotReply(4);
    await waitFor(() => tokensAfter !== undefined, 'usage after the summary');

    const gapsMs: number[] = [];
    session.on('reconnected', ({ gapMs }) => gapsMs.push(gapMs));
    for (let drop = 1; drop <= DROPS; drop++) {
      stack.simulator.dropConnections();
      await waitFor(() => gapsMs.length === drop, 'the reconnect');
    }
    return {
      title: 'Long calls (against the simulators)',
      rows: [
        {
          metric: 'Context before / after the first summary',
          value: `${firstSummary!.tokensBefore} -> ${tokensAfter} tokens`,
          note: 'greeting and two exchanges, then one more reply; trigger 300 tokens, keeping 2 turns; the simulator counts tokens like the service (10 per second of audio, 1 per 4 characters of text)',
        },
        {
          metric: 'Summary latency',
          value: `${firstSummary!.latencyMs.toFixed(1)} ms`,
          note: 'callbridge plus the OpenAI HTTP simulator, which answers at once: the model\'s own time comes on top (typically 1-3 s), off the audio path',
        },
        {
          metric: 'Reconnect gap',
          value: `median ${percentile(gapsMs, 50).toFixed(0)} ms, max ${Math.max(...gapsMs).toFixed(0)} ms`,
          note: `${DROPS} dropped Realtime sockets mid-call; socket lost -> new session configured and seeded (first retry after 125-250 ms backoff with jitter); caller audio meanwhile is held, up to 2 s`,
        },
      ],
    };
  } finally {
    await stack.close();
  }
}
