/**
 * `npm run call`: places one simulated Twilio call against a running callbridge (yours on localhost,
 * or the demo's with --keep-open) and prints what the caller heard, turn by turn. The server needs no
 * change: the call is signed with its Twilio auth token, exactly as Twilio would.
 *
 *   npm run call -- --url http://localhost:8080 --token <TWILIO_AUTH_TOKEN> [--public-url https://x.ngrok.app]
 *                   [--scenario english|barge-in|french|handoff] [--wav out.wav]
 */
import { parseArgs } from 'node:util';
import { playScenario } from '../src/sim/run-scenario.js';
import { SCENARIOS } from '../src/sim/scenarios.js';
import { SimulatedCaller } from '../src/sim/twilio-caller.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8080' },
    'public-url': { type: 'string' },
    token: { type: 'string', default: process.env['TWILIO_AUTH_TOKEN'] },
    scenario: { type: 'string', default: 'english' },
    wav: { type: 'string' },
  },
});
const scenario = SCENARIOS[args.scenario];
if (!scenario || !args.token) {
  console.error(`usage: npm run call -- --url <server> --token <TWILIO_AUTH_TOKEN> [--scenario ${Object.keys(SCENARIOS).join('|')}]`);
  process.exit(2);
}

const caller = new SimulatedCaller({
  serverUrl: args.url,
  authToken: args.token,
  ...(args['public-url'] ? { publicUrl: args['public-url'] } : {}),
});
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
await caller.dial();
console.log(`${elapsed()}  call ${caller.callSid} connected to ${args.url}`);
caller.on('clear', () => console.log(`${elapsed()}  bot audio cleared (barge-in)`));
await playScenario(caller, scenario, (clip) => console.log(`${elapsed()}  caller says ${clip}`));
const heardMs = caller.botTurns.map((turn) => Math.round(turn.playedMs));
console.log(`${elapsed()}  done: the bot spoke ${caller.botTurns.length} turns (${heardMs.join(', ')} ms heard); first audio after ${Math.round((caller.firstBotAudioAtMs ?? NaN) - caller.startedAtMs)} ms`);
if (args.wav) {
  caller.writeRecording(args.wav);
  console.log(`recording: ${args.wav}`);
}
