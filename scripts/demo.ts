/**
 * `npm run demo`: a whole phone call, offline. Starts callbridge with the Realtime simulator as its
 * model and the embedded store, places a simulated Twilio call with bundled caller audio, prints the
 * live transcript and the measured figures, and writes what the caller heard to a WAV file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CallSession } from '../src/call/call-session.js';
import { createLogger, type LogLevel } from '../src/log.js';
import { startOfflineStack, waitFor } from '../src/sim/offline-stack.js';
import { playScenario } from '../src/sim/run-scenario.js';
import { englishSupportCall } from '../src/sim/scenarios.js';
import { percentile } from './lib/stats.js';

const scenario = englishSupportCall;
const stack = await startOfflineStack({
  simulator: { scenario },
  logger: createLogger((process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'warn'),
});
const { server, simulator } = stack;

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
let session: CallSession | undefined;
server.registry.on('call', (call) => {
  session = call;
  call.on('turn', (turn) => {
    const who = turn.role === 'user' ? 'caller' : 'bot   ';
    console.log(`${elapsed()}  ${who}  ${turn.text}`);
  });
  call.on('turnUpdated', (turn) => console.log(`${elapsed()}  bot     (interrupted; heard: "${turn.heardText}")`));
  call.on('bargeIn', () => console.log(`${elapsed()}  ~ caller barged in: playback cleared`));
});

console.log(`callbridge demo: a simulated phone call ("${scenario.name}"), no phone or API key needed\n`);
const caller = stack.caller({ from: '+14155550100' });
try {
  await caller.dial();
  console.log(`${elapsed()}  call ${caller.callSid} connected`);
  await playScenario(caller, scenario);
  console.log(`${elapsed()}  caller hung up`);
  await waitFor(() => session?.isEnded === true, 'the call to end');

  const outputDir = join(process.cwd(), 'demo-output');
  mkdirSync(outputDir, { recursive: true });
  const wavPath = join(outputDir, `${caller.callSid}.wav`);
  caller.writeRecording(wavPath);

  const sim = simulator.sessions[0]!;
  const uplinkMs = sim
    .receivedOf('input_audio_buffer.append')
    .map((append, index) => (caller.sent[index] ? append.atMs - caller.sent[index].atMs : undefined))
    .filter((ms): ms is number => ms !== undefined);
  const downlinkMs = sim.deltasSent
    .map((delta, index) => (caller.received[index] ? caller.received[index].atMs - delta.atMs : undefined))
    .filter((ms): ms is number => ms !== undefined);
  const turns = session?.transcript.turns() ?? [];

  console.log('\nmeasured');
  console.log(`  time to first bot audio (stream start -> caller hears): ${((caller.firstBotAudioAtMs ?? NaN) - caller.startedAtMs).toFixed(0)} ms`);
  console.log(`  bridge latency caller -> model, per 20 ms frame: median ${fmt(percentile(uplinkMs, 50))} ms, p99 ${fmt(percentile(uplinkMs, 99))} ms (${uplinkMs.length} frames)`);
  console.log(`  bridge latency model -> caller, per delta:       median ${fmt(percentile(downlinkMs, 50))} ms, p99 ${fmt(percentile(downlinkMs, 99))} ms (${downlinkMs.length} deltas)`);
  console.log(`  turns transcribed: ${turns.filter((t) => t.role === 'user').length} caller, ${turns.filter((t) => t.role === 'assistant').length} bot`);
  console.log(`  marks echoed by the caller: ${caller.marksEchoed.length}`);
  console.log(`\nwhat the caller heard (left: caller, right: bot): ${wavPath}`);
} finally {
  await stack.close();
}

function fmt(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(2) : 'n/a';
}
