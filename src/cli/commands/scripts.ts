import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CommandSpec } from '../cli-io.js';

const ROOT = new URL('../../../', import.meta.url);

/**
 * The demo and the simulated caller are developer tools that live in scripts/ next to the benchmarks and
 * run through tsx, as `npm run demo` and `npm run call` do; the command hands them its arguments.
 */
function scriptCommand(script: string, spec: Omit<CommandSpec, 'run' | 'options'>): CommandSpec {
  return {
    ...spec,
    // The script parses its own options.
    options: {},
    rawArgs: true,
    async run(args, io) {
      const path = new URL(script, ROOT);
      if (!existsSync(path)) {
        io.stderr.write(`callbridge: ${script} is part of a clone of the repository, not of this install.\n`);
        return 1;
      }
      if (!tsxInstalled()) {
        io.stderr.write(`callbridge: ${script} runs through tsx, a dev dependency this install left out: run \`npm install\` first.\n`);
        return 1;
      }
      const child = spawn(process.execPath, ['--import', 'tsx', path.pathname, ...args.positionals], {
        cwd: ROOT.pathname,
        env: io.env,
        stdio: ['inherit', 'pipe', 'pipe'],
      });
      child.stdout.pipe(io.stdout, { end: false });
      child.stderr.pipe(io.stderr, { end: false });
      return new Promise((resolve) => {
        child.once('error', (error) => {
          io.stderr.write(`callbridge: could not run ${script}: ${error.message}\n`);
          resolve(1);
        });
        child.once('close', (code) => resolve(code ?? 1));
      });
    },
  };
}

/** Whether `--import tsx` will resolve: an install with `--omit=dev` has the scripts of a clone but not tsx. */
function tsxInstalled(): boolean {
  try {
    import.meta.resolve('tsx');
    return true;
  } catch {
    return false;
  }
}

export const demoCommand = scriptCommand('scripts/demo.ts', {
  usage: 'demo [--scenario <name>] [--model-latency <ms|min-max>] [--keep-open]',
  summary: 'a whole simulated phone call, offline: no phone, no API key (what `npm run demo` runs)',
  help: [
    'Options:',
    '  --scenario <name>       english (default), barge-in, french, handoff, keys, bot-hangs-up',
    '  --model-latency <ms>    how long the simulated model thinks per answer, e.g. 400 or 250-900',
    '  --keep-open             afterwards, keep the server and its dashboard running',
  ].join('\n'),
});

export const callCommand = scriptCommand('scripts/call.ts', {
  usage: 'call --url <server> --token <TWILIO_AUTH_TOKEN> [--public-url <url>] [--scenario <name>] [--wav <file>]',
  summary: 'place one simulated, correctly signed Twilio call against a running callbridge (what `npm run call` runs)',
  help: [
    'Options:',
    '  --url <server>          where callbridge listens (default http://localhost:8080)',
    '  --token <token>         its TWILIO_AUTH_TOKEN (default: from the environment)',
    '  --public-url <url>      the PUBLIC_URL it validates signatures against, if set',
    '  --scenario <name>       what the caller says: english, barge-in, french, handoff',
    '  --wav <file>            write what the caller heard (stereo WAV)',
  ].join('\n'),
});
