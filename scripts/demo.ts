/**
 * `npm run demo`: a whole phone call, offline. Starts callbridge with the simulators as its OpenAI and
 * the embedded store, places a simulated Twilio call with bundled caller audio, prints the live
 * transcript, the post-call summary and the measured figures, and writes what the caller heard to a WAV.
 *
 *   npm run demo                          the English support call
 *   npm run demo -- --scenario barge-in   the caller talks over a long answer
 *   npm run demo -- --scenario french     a call in French (summaries follow the language)
 *   npm run demo -- --scenario handoff    the caller asks for a human and is transferred (warm: with a whisper)
 *   npm run demo -- --scenario keys       the caller keys in an order number on the keypad
 *   npm run demo -- --scenario bot-hangs-up   the bot ends the call once the caller says goodbye
 *   npm run demo -- --model-latency 250-900   the simulated model thinks 250 to 900 ms per answer (default 400)
 *   npm run demo -- --keep-open           then keep the server and its dashboard running
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CallSession } from '../src/call/call-session.js';
import type { BotTiming } from '../src/conversation/transcript.js';
import { createLogger, type LogLevel } from '../src/log.js';
import { SIM_AUTH_TOKEN, startOfflineStack, waitFor } from '../src/sim/offline-stack.js';
import { playScenario } from '../src/sim/run-scenario.js';
import { bargeInCall, SCENARIOS } from '../src/sim/scenarios.js';
import { percentile } from './lib/stats.js';

const OPERATOR_TOKEN = 'demo-operator-token';
const HANDOFF_NUMBER = '+14155550199';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'english' },
    'model-latency': { type: 'string', default: '400' },
    'keep-open': { type: 'boolean', default: false },
  },
});
const scenario = SCENARIOS[args.scenario];
if (!scenario) {
  console.error(`unknown scenario "${args.scenario}"; choose one of: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}

const latency = /^(\d+)(?:-(\d+))?$/.exec(args['model-latency']);
if (!latency) {
  console.error(`--model-latency takes milliseconds (400) or a range (250-900), not "${args['model-latency']}"`);
  process.exit(2);
}
const modelLatencyMs = latency[2] === undefined ? Number(latency[1]) : { minMs: Number(latency[1]), maxMs: Number(latency[2]) };

const stack = await startOfflineStack({
  simulator: {
    scenario,
    timing: { modelLatencyMs, ...(scenario === bargeInCall ? { speed: 1.5, cancelLagMs: 150 } : {}) },
  },
  env: { OPERATOR_TOKEN, HANDOFF_NUMBER },
  exampleTools: true,
  logger: createLogger((process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'warn'),
});
const { server, simulator } = stack;

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
let session: CallSession | undefined;
const botTurns: BotTiming[] = [];
const ms = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(0)} ms`);
server.registry.on('call', (call) => {
  const cutOffShown = new Set<string>();
  session = call;
  const cutOff = (turn: { text: string; heardText: string }) =>
    `(cut off: the caller heard "${turn.heardText}", not "${turn.text.slice(turn.heardText.length).trim()}")`;
  call.on('turn', (turn) => {
    if (turn.role === 'tool') return;
    console.log(`${elapsed()}  ${turn.role === 'user' ? 'caller' : 'bot   '}  ${turn.interrupted ? cutOff(turn) : turn.text}`);
  });
  call.on('turnUpdated', (turn) => {
    // Turns are also updated when they are timed; only a cut-off is news here.
    if (!turn.interrupted || cutOffShown.has(turn.itemId)) return;
    cutOffShown.add(turn.itemId);
    console.log(`${elapsed()}  bot     ${cutOff(turn)}`);
  });
  call.on('botTurn', ({ timing }) => {
    botTurns.push(timing);
    const asked = timing.speechEndedMs === null ? 'asked for' : 'the caller stopped';
    const tool = timing.toolMs === null ? '' : ` (tools ${ms(timing.toolMs)})`;
    console.log(
      `${elapsed()}  wait    heard ${ms(timing.totalMs)} after ${asked}: model ${ms(timing.modelLatencyMs)}${tool}, ` +
        `bridge ${timing.bridgeLatencyMs ?? 'n/a'} ms, playback start ${ms(timing.playbackStartMs)}`,
    );
  });
  call.on('bargeIn', ({ reactionMs }) => console.log(`${elapsed()}  ~ caller talked over the bot: playback cleared in ${reactionMs.toFixed(2)} ms`));
  call.on('toolCall', ({ name, arguments: args, output, outcome, durationMs }) =>
    console.log(`${elapsed()}  tool    ${name}(${typeof args === 'string' ? args : JSON.stringify(args)}) -> ${outcome} in ${durationMs.toFixed(0)} ms: ${output}`),
  );
  call.on('handoff', ({ reason, whisper }) => {
    console.log(`${elapsed()}  ~ handing the caller to a human (${reason})`);
    console.log(`${elapsed()}  ~ the person who answers hears first: "${whisper}"`);
  });
});

console.log(`callbridge demo: a simulated phone call ("${scenario.name}"), no phone or API key needed\n`);
const caller = stack.caller({ from: '+14155550100' });
let exitCode = 0;
try {
  await caller.dial();
  console.log(`${elapsed()}  call ${caller.callSid} connected`);
  await playScenario(caller, scenario);
  console.log(`${elapsed()}  ${caller.continuation?.dial ? `Twilio dials ${caller.continuation.dial}` : 'call ended'}`);
  await waitFor(() => session?.isEnded === true, 'the call to end');
  await waitFor(async () => (await server.store.getCall(caller.callSid))?.summary != null, 'the post-call summary');
  const record = (await server.store.getCall(caller.callSid))!;
  console.log(`${elapsed()}  stored as ${record.status}: ${record.endReason}`);

  const outputDir = join(process.cwd(), 'demo-output');
  mkdirSync(outputDir, { recursive: true });
  const wavPath = join(outputDir, `${caller.callSid}.wav`);
  caller.writeRecording(wavPath);

  const summary = record.summary!.content as { synopsis: string; intent: string; outcome: string; actionItems: string[]; keyFacts: string[]; sentiment: string; language: string };
  console.log('\npost-call summary (stored; the simulator distils it from the transcript)');
  console.log(`  synopsis:  ${summary.synopsis}`);
  console.log(`  intent:    ${summary.intent}`);
  console.log(`  outcome:   ${summary.outcome}    sentiment: ${summary.sentiment}    language: ${summary.language}`);
  for (const item of summary.actionItems) console.log(`  to do:     ${item}`);

  const sim = simulator.sessions[0]!;
  const uplinkMs = sim
    .receivedOf('input_audio_buffer.append')
    .map((append, index) => (caller.sent[index] ? append.atMs - caller.sent[index].atMs : undefined))
    .filter((ms): ms is number => ms !== undefined);
  // Each media message answers the latest delta sent before it (deltas dropped after a barge-in have no media).
  const sentAtMs = sim.deltasSent.map((delta) => delta.atMs);
  const downlinkMs = caller.received
    .map((media) => media.atMs - Math.max(...sentAtMs.filter((atMs) => atMs <= media.atMs)))
    .filter((ms) => Number.isFinite(ms));
  const figures = session!.figures;
  const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(2) : 'n/a');

  console.log('\nmeasured');
  console.log(`  time to first bot audio (stream start -> caller hears): ${((caller.firstBotAudioAtMs ?? NaN) - caller.startedAtMs).toFixed(0)} ms`);
  console.log(`  latency callbridge adds, caller -> model, per 20 ms frame: median ${fmt(percentile(uplinkMs, 50))} ms, p99 ${fmt(percentile(uplinkMs, 99))} ms (${uplinkMs.length} frames)`);
  console.log(`  latency callbridge adds, model -> caller, per delta:       median ${fmt(percentile(downlinkMs, 50))} ms, p99 ${fmt(percentile(downlinkMs, 99))} ms (${downlinkMs.length} deltas)`);
  const answers = botTurns.filter((timing) => timing.speechEndedMs !== null && timing.totalMs !== null);
  const median = (pick: (timing: BotTiming) => number) => fmt(percentile(answers.map(pick), 50));
  console.log(
    `  per answer (the caller stops -> hears the bot), median of ${answers.length}: total ${median((t) => t.totalMs!)} ms = ` +
      `model ${median((t) => t.modelLatencyMs)} ms + bridge ${median((t) => t.bridgeLatencyMs!)} ms + playback start ${median((t) => t.playbackStartMs!)} ms`,
  );
  console.log(`  turns stored: ${record.turns.filter((t) => t.role === 'user').length} caller, ${record.turns.filter((t) => t.role === 'assistant').length} bot; barge-ins: ${figures.bargeIns}; marks echoed: ${caller.marksEchoed.length}`);
  console.log(`\nwhat the caller heard (stereo: left the caller, right the bot): ${wavPath}`);

  if (args['keep-open']) {
    console.log(`\ndashboard: ${server.url}/  (sign in with the operator token: ${OPERATOR_TOKEN})`);
    console.log(`place another call: npm run call -- --url ${server.url} --token ${SIM_AUTH_TOKEN}`);
    console.log('Ctrl-C to stop.');
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await stack.close();
}
process.exit(exitCode);

