import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import { SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, SIM_PHONE_NUMBER } from '../../src/sim/offline-stack.js';
import { operatorApi, startHarness, waitFor, type Harness } from '../support/harness.js';
import { shortCall, withoutTools } from '../support/scenarios.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/callbridge.js');
const FAKE_TUNNEL_CLI = join(ROOT, 'test/support/cli-with-fake-tunnel.ts');
/** Resolved here: the spawned command runs in a directory of its own, where `--import tsx` would not resolve. */
const TSX = import.meta.resolve('tsx');
const OPERATOR_TOKEN = 'operator-token-0123456789';
const scenario = { ...withoutTools(shortCall), turns: withoutTools(shortCall).turns.slice(0, 1) };
/** The configured defaults, so the simulated OpenAI knows exactly the models a fresh .env names. */
const DEFAULTS = loadConfig({ OPENAI_API_KEY: 'sk', TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'token' }).openai;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A directory with no .env, so a developer's own settings never reach the command under test. */
const cwd = mkdtempSync(join(tmpdir(), 'callbridge-cli-'));

function spawnCli(args: string[], env: Record<string, string>, entry: string[] = [BIN]): ChildProcess {
  return spawn(process.execPath, [...entry, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { output: () => Run; exited: Promise<Run> } {
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  const exited = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ ...run, code }));
  });
  return { output: () => run, exited };
}

/** `npx callbridge <args>` as a user runs it: spawned, to completion. */
function callbridge(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return collect(spawnCli(args, env)).exited;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/*
 * The suites run side by side, and so do the tests of each but the one that walks a number through
 * doctor, twilio setup and dev in order: most of this file is waiting on spawned processes and on
 * whole calls in real time.
 */
describe.concurrent('callbridge: commands, help and usage errors', () => {
  it('lists its commands, and each has --help', async () => {
    const overview = await callbridge(['--help']);
    expect(overview.code).toBe(0);
    const commands = ['start', 'dev', 'doctor', 'twilio setup', 'dial', 'demo', 'call'];
    for (const command of commands) expect(overview.stdout).toContain(`  ${command} `);
    const helps = await Promise.all(commands.map((command) => callbridge([...command.split(' '), '--help'])));
    for (const [index, help] of helps.entries()) {
      expect(help.code, commands[index]).toBe(0);
      expect(help.stdout).toContain(`Usage: npx callbridge ${commands[index]}`);
    }
  });

  it('exits 2 with a pointer to help for an unknown command or a bad command line', async () => {
    const [none, unknown, half, dialNothing, badFlag] = await Promise.all([
      callbridge([]),
      callbridge(['serve']),
      callbridge(['twilio']),
      callbridge(['dial']),
      callbridge(['doctor', '--verbose']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: npx callbridge <command>');
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('unknown command "serve"');
    expect(half.stderr).toContain('did you mean `twilio setup`');
    expect(dialNothing).toMatchObject({ code: 2 });
    expect(dialNothing.stderr).toContain('which number?');
    expect(badFlag).toMatchObject({ code: 2 });
    expect(badFlag.stderr).toContain("Unknown option '--verbose'");
  });

  it('doctor reports every settings problem at once and exits 1', async () => {
    const run = await callbridge(['doctor'], { PORT: 'eighty', TWILIO_ACCOUNT_SID: 'AC123' });
    expect(run.code).toBe(1);
    for (const problem of ['setting PORT must be a number', 'setting OPENAI_API_KEY is required', 'setting TWILIO_ACCOUNT_SID must look like AC', 'setting TWILIO_AUTH_TOKEN is required']) {
      expect(run.stdout).toContain(`problem  ${problem}`);
    }
    expect(run.stdout).toContain('skipped  OpenAI, Twilio and PUBLIC_URL: fix the settings first');
  });

  it('dev --tunnel without NGROK_AUTHTOKEN says how to get one, and how to use another tunnel', async () => {
    const run = await callbridge(['dev', '--tunnel'], { OPENAI_API_KEY: 'sk', TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('needs NGROK_AUTHTOKEN');
    expect(run.stderr).toContain('https://dashboard.ngrok.com/get-started/your-authtoken');
    expect(run.stderr).toContain('npx callbridge dev --public-url');
  });
});

/** A running server with the simulated OpenAI and Twilio REST, and the settings that point a command at them. */
function useSimulators(): { readonly harness: Harness; readonly env: Record<string, string> } {
  let harness: Harness | undefined;
  let env: Record<string, string> = {};
  beforeAll(async () => {
    harness = await startHarness({
      simulator: { scenario },
      openai: { models: [DEFAULTS.realtimeModel, DEFAULTS.transcriptionModel, DEFAULTS.summaryModel], apiKey: 'sk-simulator' },
      env: { OPERATOR_TOKEN },
    });
    env = {
      OPENAI_API_KEY: 'sk-simulator',
      OPENAI_BASE_URL: harness.openai.url,
      OPENAI_REALTIME_URL: harness.simulator.url,
      TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: SIM_PHONE_NUMBER,
      TWILIO_API_BASE_URL: harness.twilio.url,
      PUBLIC_URL: harness.server.url,
      OPERATOR_TOKEN,
    };
  });
  afterAll(() => harness?.close());
  return {
    get harness() {
      return harness!;
    },
    get env() {
      return env;
    },
  };
}

describe.concurrent('callbridge doctor, twilio setup and dev, in order on one number', () => {
  const sim = useSimulators();

  it.sequential('doctor on a broken setup: names the missing model, the wrong webhook and the unreachable PUBLIC_URL, with fixes', async () => {
    const run = await callbridge(['doctor'], { ...sim.env, SUMMARY_MODEL: 'gpt-summary-that-is-gone', PUBLIC_URL: 'http://127.0.0.1:9' });
    console.log(run.stdout);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ok       settings');
    expect(run.stdout).toContain('ok       OPENAI_API_KEY accepted');
    expect(run.stdout).toContain(`ok       REALTIME_MODEL ${DEFAULTS.realtimeModel} exists`);
    expect(run.stdout).toContain('problem  SUMMARY_MODEL "gpt-summary-that-is-gone" does not exist for this key');
    expect(run.stdout).toContain('fix: set SUMMARY_MODEL in .env to a current model');
    expect(run.stdout).toContain(`problem  ${SIM_PHONE_NUMBER}  voice webhook: (none), not http://127.0.0.1:9/twilio/voice (POST)`);
    expect(run.stdout).toContain(`fix: npx callbridge twilio setup --number ${SIM_PHONE_NUMBER}`);
    expect(run.stdout).toContain('problem  http://127.0.0.1:9/healthz did not answer');
    expect(run.stdout).toContain('3 problems to fix before a live call.');
  });

  it.sequential('doctor tells a refused OpenAI key and refused Twilio credentials', async () => {
    const run = await callbridge(['doctor'], { ...sim.env, OPENAI_API_KEY: 'sk-wrong', TWILIO_AUTH_TOKEN: 'wrong' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('problem  OPENAI_API_KEY was refused (HTTP 401)');
    expect(run.stdout).toContain('problem  Twilio refused TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN');
  });

  it.sequential('twilio setup lists the numbers, points one at PUBLIC_URL, and refuses one the account lacks', async () => {
    const list = await callbridge(['twilio', 'setup'], sim.env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${SIM_PHONE_NUMBER}  voice webhook: (none)   <- TWILIO_PHONE_NUMBER`);

    const setup = await callbridge(['twilio', 'setup', '--number', SIM_PHONE_NUMBER], sim.env);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain(`${SIM_PHONE_NUMBER}: voice webhook was (none), now ${sim.harness.server.url}/twilio/voice (POST)`);
    expect(sim.harness.twilio.number(SIM_PHONE_NUMBER)).toMatchObject({ voiceUrl: `${sim.harness.server.url}/twilio/voice`, voiceMethod: 'POST' });

    const missing = await callbridge(['twilio', 'setup', '--number', '+14155550999'], sim.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`+14155550999 is not a number of this Twilio account (its numbers: ${SIM_PHONE_NUMBER})`);
  });

  it.sequential('doctor on a healthy setup: every check ok, exit 0', async () => {
    const run = await callbridge(['doctor'], sim.env);
    console.log(run.stdout);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('problem');
    expect(run.stdout).toContain(`ok       ${SIM_PHONE_NUMBER} voice webhook is ${sim.harness.server.url}/twilio/voice (POST)`);
    expect(run.stdout).toContain(`ok       PUBLIC_URL reaches callbridge (${sim.harness.server.url}/healthz)`);
    expect(run.stdout).toContain('All good: call your number.');
  });



  it.sequential('dev --tunnel opens the tunnel, points the number at it, serves with readable logs, and closes the tunnel on Ctrl-C', async () => {
    const port = await freePort();
    sim.harness.twilio.number(SIM_PHONE_NUMBER)!.voiceUrl = 'https://old.example/voice';
    const child = spawnCli(['dev', '--tunnel'], { ...sim.env, PUBLIC_URL: '', PORT: String(port), HOST: '127.0.0.1', NGROK_AUTHTOKEN: 'fake-ngrok-token', DATA_DIR: join(cwd, 'dev-data') }, ['--import', TSX, FAKE_TUNNEL_CLI]);
    const { output, exited } = collect(child);
    await waitFor(() => output().stdout.includes('Ctrl-C stops'), 'dev to be ready', 30_000);
    const publicUrl = `http://127.0.0.1:${port}`;
    expect(output().stdout).toContain(`fake tunnel opened to port ${port}`);
    expect(output().stdout).toContain(`public URL  ${publicUrl} (ngrok tunnel to port ${port})`);
    expect(output().stdout).toContain(`number      ${SIM_PHONE_NUMBER}: voice webhook was https://old.example/voice (POST), now ${publicUrl}/twilio/voice (POST)`);
    expect(output().stdout).toContain(`Call ${SIM_PHONE_NUMBER} now.`);
    // pino-pretty's lines, not JSON.
    expect(output().stdout).toMatch(/INFO.*callbridge listening/);
    expect(sim.harness.twilio.number(SIM_PHONE_NUMBER)!.voiceUrl).toBe(`${publicUrl}/twilio/voice`);
    expect((await fetch(`${publicUrl}/healthz`)).status).toBe(200);
    child.kill('SIGINT');
    const run = await exited;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('fake tunnel closed');
  });
});

describe.concurrent('callbridge dial, call and start against the simulators', () => {
  const sim = useSimulators();

  it('dial places an outbound call that Twilio dials, the bot greets, and is stored as outbound', async () => {
    const refused = await callbridge(['dial', '+14155550142'], { ...sim.env, OPERATOR_TOKEN: 'not-the-operator-token' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the server refused OPERATOR_TOKEN');

    const run = await callbridge(['dial', '+14155550142', '--greeting', 'Say you are calling about the parcel.'], sim.env);
    expect(run.code).toBe(0);
    const callSid = /Calling \+14155550142: (CA[0-9a-f]{32})/.exec(run.stdout)?.[1];
    expect(callSid).toBeDefined();
    const placed = sim.harness.twilio.calls.find((call) => call.sid === callSid)!;
    const caller = await placed.answered;
    await playScenario(caller, scenario);
    const stored = await operatorApi(sim.harness, OPERATOR_TOKEN).waitForCall(callSid!, (call) => call.summary !== null, 'the post-call summary');
    expect(stored).toMatchObject({ direction: 'outbound', to: '+14155550142', status: 'completed' });
  });

  it('call places a simulated call against the running server', async () => {
    const run = await callbridge(['call', '--url', sim.harness.server.url, '--token', SIM_AUTH_TOKEN, '--scenario', 'english'], sim.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/call CA[0-9a-f]{32} connected/);
    expect(run.stdout).toMatch(/done: the bot spoke \d+ turns/);
  });

  it('start serves calls with JSON logs until SIGTERM, then exits 0', async () => {
    const child = spawnCli(['start'], { ...sim.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(cwd, 'start-data'), LOG_LEVEL: 'info' });
    const { output, exited } = collect(child);
    // A cold start compiles the server under tsx beside the other tests of this file: on a loaded
    // two-core machine that has taken more than 30 s.
    await waitFor(() => output().stdout.includes('"msg":"callbridge listening"'), 'the server to listen', 90_000);
    const port = (JSON.parse(output().stdout.split('\n').find((line) => line.includes('callbridge listening'))!) as { port: number }).port;
    expect(((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string }).status).toBe('ok');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  }, 120_000);
});

describe.concurrent('callbridge demo', () => {
  it('runs a whole simulated call offline and exits 0', async () => {
    const run = await callbridge(['demo', '--scenario', 'bot-hangs-up'], { LOG_LEVEL: 'warn' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('stored as completed: the bot ended the call');
  }, 120_000);
});
