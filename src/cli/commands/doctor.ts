import { write, type CommandSpec } from '../cli-io.js';
import { runChecks, type CheckResult } from '../doctor-checks.js';
import { twilioRestFor } from '../twilio-number.js';

export const doctorCommand: CommandSpec = {
  usage: 'doctor',
  summary: 'check everything a first live call needs: settings, OpenAI key and models, Twilio, the webhook, PUBLIC_URL',
  help: 'Prints each check as ok, problem (with how to fix it) or skipped; exits 1 when anything is wrong.',
  options: {},
  async run(_args, io) {
    const results = await runChecks(io.env, { twilioRest: (config) => twilioRestFor(config, io), fetch });
    write(io.stdout, `callbridge doctor\n\n${results.map(line).join('\n')}\n`);
    const problems = results.filter((result) => result.status === 'problem').length;
    write(io.stdout, problems === 0 ? 'All good: call your number.' : `${problems} ${problems === 1 ? 'problem' : 'problems'} to fix before a live call.`);
    return problems === 0 ? 0 : 1;
  },
};

function line(result: CheckResult): string {
  if (result.status === 'ok') return `  ok       ${result.what}`;
  if (result.status === 'skipped') return `  skipped  ${result.what}: ${result.why}`;
  return `  problem  ${result.what}\n           fix: ${result.fix}`;
}
