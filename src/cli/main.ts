import { type CliIo, type CommandSpec, UsageError, parseCommandArgs, write } from './cli-io.js';
import { dialCommand } from './commands/dial.js';
import { devCommand } from './commands/dev.js';
import { doctorCommand } from './commands/doctor.js';
import { callCommand, demoCommand } from './commands/scripts.js';
import { startCommand } from './commands/start.js';
import { twilioSetupCommand } from './commands/twilio-setup.js';

/** Every command, by the words that name it on the command line. */
const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map([
  ['start', startCommand],
  ['dev', devCommand],
  ['doctor', doctorCommand],
  ['twilio setup', twilioSetupCommand],
  ['dial', dialCommand],
  ['demo', demoCommand],
  ['call', callCommand],
]);

function overview(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((name) => name.length));
  return [
    'callbridge: answer (and place) phone calls with an AI voice.',
    '',
    'Usage: npx callbridge <command> [options]',
    '',
    'Commands:',
    ...[...COMMANDS].map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    '',
    'Run `npx callbridge <command> --help` for its options. Going live: `npx callbridge dev --tunnel`.',
  ].join('\n');
}

function commandHelp(name: string, spec: CommandSpec): string {
  return `Usage: npx callbridge ${spec.usage.startsWith(name) ? spec.usage : `${name} ${spec.usage}`}\n\n${spec.summary}.\n\n${spec.help}`;
}

/** Runs one command line; resolves with the process's exit code (0 ok, 1 failed, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    write(first === undefined ? io.stderr : io.stdout, overview());
    return first === undefined ? 2 : 0;
  }
  const twoWords = second !== undefined && COMMANDS.has(`${first} ${second}`);
  const name = twoWords ? `${first} ${second}` : first;
  const spec = COMMANDS.get(name);
  if (!spec) {
    const group = [...COMMANDS.keys()].filter((key) => key.startsWith(`${first} `));
    const hint = group.length > 0 ? `did you mean ${group.map((key) => `\`${key}\``).join(' or ')}` : 'run `npx callbridge --help` for the list';
    write(io.stderr, `callbridge: unknown command "${argv.slice(0, group.length > 0 ? 2 : 1).join(' ')}"; ${hint}.`);
    return 2;
  }
  const rest = argv.slice(twoWords ? 2 : 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    write(io.stdout, commandHelp(name, spec));
    return 0;
  }
  try {
    return await spec.run(parseCommandArgs(spec, rest), io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    write(io.stderr, `callbridge ${name}: ${error.message}\nRun \`npx callbridge ${name} --help\` for usage.`);
    return 2;
  }
}
