import { loadConfig, type Config } from '../config.js';
import { ConfigError, UpstreamError } from '../errors.js';
import type { PhoneNumber, TwilioRest } from '../telephony/twilio-rest.js';
import { describeNumber, voiceWebhookUrl } from './twilio-number.js';

/** One thing a first live call needs: fine, or what is wrong and how to fix it. */
export type CheckResult =
  | { status: 'ok'; what: string }
  | { status: 'problem'; what: string; fix: string }
  | { status: 'skipped'; what: string; why: string };

export interface DoctorDeps {
  twilioRest: (config: Readonly<Config>) => TwilioRest;
  fetch: typeof fetch;
  /** Per HTTP check; default 5 s. */
  timeoutMs?: number;
}

const MODELS_HELP = 'README "Choosing models"; the models your key can use: GET <OPENAI_BASE_URL>/models';

/** Every check, in the order a first call meets them. Settings come first: without them nothing else can be asked. */
export async function runChecks(env: Record<string, string | undefined>, deps: DoctorDeps): Promise<CheckResult[]> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      ...error.problems.map((problem): CheckResult => ({ status: 'problem', what: `setting ${problem}`, fix: 'set it in .env (every setting is described in .env.example)' })),
      { status: 'skipped', what: 'OpenAI, Twilio and PUBLIC_URL', why: 'fix the settings first' },
    ];
  }
  const results: CheckResult[] = [{ status: 'ok', what: 'settings' }];
  results.push(...(await checkOpenAi(config, deps)));
  results.push(...(await checkTwilio(config, deps)));
  results.push(await checkPublicUrl(config, deps));
  return results;
}

async function checkOpenAi(config: Readonly<Config>, deps: DoctorDeps): Promise<CheckResult[]> {
  const models = [
    ['REALTIME_MODEL', config.openai.realtimeModel],
    ['TRANSCRIPTION_MODEL', config.openai.transcriptionModel],
    ['SUMMARY_MODEL', config.openai.summaryModel],
  ] as const;
  const results: CheckResult[] = [];
  let keyChecked = false;
  for (const [setting, model] of models) {
    let status: number;
    try {
      const response = await deps.fetch(`${config.openai.baseUrl}/models/${encodeURIComponent(model)}`, {
        headers: { authorization: `Bearer ${config.openai.apiKey}` },
        signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      return [{ status: 'problem', what: `OpenAI API at ${config.openai.baseUrl} did not answer (${errorText(error)})`, fix: 'check your network, or OPENAI_BASE_URL if you changed it' }];
    }
    if (status === 401) {
      return [{ status: 'problem', what: 'OPENAI_API_KEY was refused (HTTP 401)', fix: 'create a key at https://platform.openai.com/api-keys and set OPENAI_API_KEY' }];
    }
    if (!keyChecked && (status === 200 || status === 404)) {
      results.push({ status: 'ok', what: 'OPENAI_API_KEY accepted' });
      keyChecked = true;
    }
    if (status === 200) results.push({ status: 'ok', what: `${setting} ${model} exists` });
    else if (status === 404) {
      results.push({ status: 'problem', what: `${setting} "${model}" does not exist for this key`, fix: `set ${setting} in .env to a current model (${MODELS_HELP})` });
    } else {
      results.push({ status: 'problem', what: `${setting} "${model}": OpenAI answered HTTP ${status}`, fix: 'try again in a moment; see https://status.openai.com' });
    }
  }
  return results;
}

async function checkTwilio(config: Readonly<Config>, deps: DoctorDeps): Promise<CheckResult[]> {
  let numbers: PhoneNumber[];
  try {
    numbers = await deps.twilioRest(config).listNumbers();
  } catch (error) {
    if (error instanceof UpstreamError && error.code === 'twilio_unauthorized') {
      return [{ status: 'problem', what: 'Twilio refused TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN', fix: 'copy both from https://console.twilio.com (Account Info)' }];
    }
    return [{ status: 'problem', what: `Twilio's REST API did not answer usefully (${errorText(error)})`, fix: 'check your network, or TWILIO_API_BASE_URL if you changed it' }];
  }
  const results: CheckResult[] = [{ status: 'ok', what: `Twilio credentials accepted (account ${config.twilio.accountSid})` }];
  const phoneNumber = config.twilio.phoneNumber;
  if (!phoneNumber) {
    const yours = numbers.length === 0 ? 'this account has none yet: buy one with voice at https://console.twilio.com' : `yours: ${numbers.map((n) => n.phoneNumber).join(', ')}`;
    results.push({ status: 'problem', what: 'TWILIO_PHONE_NUMBER is not set', fix: `set it to the number callers dial (${yours})` });
    return results;
  }
  const number = numbers.find((candidate) => candidate.phoneNumber === phoneNumber);
  if (!number) {
    results.push({ status: 'problem', what: `TWILIO_PHONE_NUMBER ${phoneNumber} is not on this Twilio account`, fix: `set it to one of: ${numbers.map((n) => n.phoneNumber).join(', ') || '(none: buy one)'}` });
    return results;
  }
  if (!config.publicUrl) {
    results.push({ status: 'skipped', what: `${describeNumber(number)}`, why: 'PUBLIC_URL is not set, so there is nothing to compare it with' });
    return results;
  }
  const expected = voiceWebhookUrl(config.publicUrl);
  if (number.voiceUrl === expected && number.voiceMethod.toUpperCase() === 'POST') results.push({ status: 'ok', what: `${phoneNumber} voice webhook is ${expected} (POST)` });
  else {
    results.push({
      status: 'problem',
      what: `${describeNumber(number)}, not ${expected} (POST)`,
      fix: `npx callbridge twilio setup --number ${phoneNumber}`,
    });
  }
  return results;
}

async function checkPublicUrl(config: Readonly<Config>, deps: DoctorDeps): Promise<CheckResult> {
  if (!config.publicUrl) {
    return { status: 'problem', what: 'PUBLIC_URL is not set', fix: 'run npx callbridge dev --tunnel, or set PUBLIC_URL to your tunnel\'s https URL' };
  }
  const url = `${config.publicUrl}/healthz`;
  const fix = `start callbridge (npx callbridge start) and check that ${config.publicUrl} forwards to port ${config.port}`;
  try {
    const response = await deps.fetch(url, { signal: AbortSignal.timeout(deps.timeoutMs ?? 5000) });
    const body = (await response.json().catch(() => undefined)) as { status?: unknown } | undefined;
    if (response.ok && body?.status === 'ok') return { status: 'ok', what: `PUBLIC_URL reaches callbridge (${url})` };
    return { status: 'problem', what: `${url} answered HTTP ${response.status}, not callbridge's health check`, fix };
  } catch (error) {
    return { status: 'problem', what: `${url} did not answer (${errorText(error)})`, fix };
  }
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === 'string' ? `${message}: ${cause}` : message;
}
