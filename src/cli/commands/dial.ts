import { E164, E164_MESSAGE } from '../../config.js';
import { UsageError, write, type CommandSpec } from '../cli-io.js';
import { loadSettings } from '../serve.js';

export const dialCommand: CommandSpec = {
  usage: 'dial <number> [--from <E.164>] [--instructions <text>] [--greeting <text>] [--url <server>]',
  summary: 'have the running callbridge call a number (POST /api/calls); the bot speaks first',
  help: [
    'Options:',
    '  --from <E.164>         caller ID, one of your Twilio numbers (default: TWILIO_PHONE_NUMBER)',
    "  --instructions <text>  the bot's instructions for this call only (default: BOT_INSTRUCTIONS)",
    "  --greeting <text>      the bot's opening move for this call only (default: BOT_GREETING)",
    '  --url <server>         the running callbridge (default: PUBLIC_URL, else http://127.0.0.1:PORT)',
    '',
    'Needs OPERATOR_TOKEN (the server checks it) and a server that Twilio reaches at PUBLIC_URL.',
  ].join('\n'),
  options: { from: { type: 'string' }, instructions: { type: 'string' }, greeting: { type: 'string' }, url: { type: 'string' } },
  async run({ values, positionals }, io) {
    const [to, ...extra] = positionals;
    if (to === undefined) throw new UsageError('which number? e.g. callbridge dial +14155550100');
    if (extra.length > 0) throw new UsageError(`one number at a time (got also ${extra.join(' ')})`);
    if (!E164.test(to)) throw new UsageError(`the number ${E164_MESSAGE} (got "${to}")`);
    const config = loadSettings(io);
    if (!config) return 1;
    if (!config.operatorToken) {
      write(io.stderr, 'callbridge dial: OPERATOR_TOKEN is not set: the server places calls only for an operator (set it for the server and here).');
      return 1;
    }
    const server = (values['url'] as string | undefined) ?? config.publicUrl ?? `http://127.0.0.1:${config.port}`;
    const body: Record<string, string> = { to };
    for (const field of ['from', 'instructions', 'greeting'] as const) {
      const value = values[field];
      if (typeof value === 'string') body[field] = value;
    }
    let response: Response;
    try {
      response = await fetch(`${server}/api/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${config.operatorToken}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      write(io.stderr, `callbridge dial: no callbridge answered at ${server} (${error instanceof Error ? error.message : String(error)}); start it (npx callbridge dev --tunnel) or pass --url.`);
      return 1;
    }
    const answer = (await response.json().catch(() => ({}))) as { callSid?: string; error?: string; message?: string };
    if (response.status !== 201 || !answer.callSid) {
      const why = response.status === 401 ? 'the server refused OPERATOR_TOKEN (is it the same as the server\'s?)' : (answer.message ?? answer.error ?? `HTTP ${response.status}`);
      write(io.stderr, `callbridge dial: the call was not placed: ${why}`);
      return 1;
    }
    write(io.stdout, `Calling ${to}: ${answer.callSid}. Follow it on the dashboard, ${server}/#call=${answer.callSid}`);
    return 0;
  },
};
