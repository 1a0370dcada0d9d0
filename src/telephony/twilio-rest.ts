import type { Twilio } from 'twilio';
import { UpstreamError } from '../errors.js';

/*
 * Every Twilio REST action callbridge takes goes through `TwilioRest`; `TwilioSdkRest` is its one adapter,
 * the official SDK pointed at `apiBaseUrl` (api.twilio.com, or a simulator in tests).
 */

/** One of the account's numbers, with where its incoming calls go. */
export interface PhoneNumber {
  sid: string;
  phoneNumber: string;
  voiceUrl: string;
  voiceMethod: string;
}

export interface NewOutboundCall {
  to: string;
  from: string;
  /** Fetched (POST) when the call is answered; its TwiML runs on the call. */
  url: string;
  /** Answering-machine detection: `Enable` decides at once, `DetectMessageEnd` waits for the beep. */
  machineDetection?: 'Enable' | 'DetectMessageEnd';
}

export interface TwilioRest {
  /** The account's numbers; with `phoneNumber` (E.164), just that one if the account has it. */
  listNumbers(filter?: { phoneNumber?: string }): Promise<PhoneNumber[]>;
  /** Points a number's incoming calls at `url` with `method`. */
  setVoiceWebhook(numberSid: string, webhook: { url: string; method: 'POST' }): Promise<PhoneNumber>;
  /** Places a call; answers once Twilio has queued it. */
  createCall(call: NewOutboundCall): Promise<{ callSid: string }>;
}

export interface TwilioSdkRestOptions {
  accountSid: string;
  authToken: string;
  /** e.g. https://api.twilio.com, without a trailing slash. */
  apiBaseUrl: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/**
 * The SDK's root module (every REST resource, 8 MB of heap) is loaded with the first request: a
 * server that never dials out, or only answers, never pays for it.
 */
export class TwilioSdkRest implements TwilioRest {
  readonly #options: TwilioSdkRestOptions;
  #client: Promise<Twilio> | undefined;

  constructor(options: TwilioSdkRestOptions) {
    this.#options = options;
  }

  async listNumbers(filter: { phoneNumber?: string } = {}): Promise<PhoneNumber[]> {
    const numbers = await this.#call((client) =>
      client.incomingPhoneNumbers.list(filter.phoneNumber ? { phoneNumber: filter.phoneNumber } : {}),
    );
    return numbers.map(toPhoneNumber);
  }

  async setVoiceWebhook(numberSid: string, webhook: { url: string; method: 'POST' }): Promise<PhoneNumber> {
    return toPhoneNumber(
      await this.#call((client) => client.incomingPhoneNumbers(numberSid).update({ voiceUrl: webhook.url, voiceMethod: webhook.method })),
    );
  }

  async createCall(call: NewOutboundCall): Promise<{ callSid: string }> {
    const created = await this.#call((client) =>
      client.calls.create({
        to: call.to,
        from: call.from,
        url: call.url,
        method: 'POST',
        ...(call.machineDetection ? { machineDetection: call.machineDetection } : {}),
      }),
    );
    return { callSid: created.sid };
  }

  async #call<T>(action: (client: Twilio) => Promise<T>): Promise<T> {
    const client = await (this.#client ??= this.#connect());
    try {
      return await action(client);
    } catch (error) {
      throw twilioError(error);
    }
  }

  async #connect(): Promise<Twilio> {
    const { default: twilio } = await import('twilio');
    const { accountSid, authToken, timeoutMs, apiBaseUrl } = this.#options;
    const client = twilio(accountSid, authToken, { timeout: timeoutMs ?? 10_000, autoRetry: false });
    // The SDK builds every 2010-04-01 URL from this base (DEPENDENCY-NOTES.md).
    client.api.baseUrl = apiBaseUrl;
    return client;
  }
}

function toPhoneNumber(number: { sid: string; phoneNumber: string; voiceUrl: string | null; voiceMethod: string | null }): PhoneNumber {
  return { sid: number.sid, phoneNumber: number.phoneNumber, voiceUrl: number.voiceUrl ?? '', voiceMethod: number.voiceMethod ?? '' };
}

/**
 * Twilio's answer as one of ours: refused credentials, a refused request (with Twilio's reason, e.g. an
 * invalid `To`), or Twilio out of reach (worth retrying).
 */
function twilioError(error: unknown): UpstreamError {
  const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403) {
    return new UpstreamError('twilio_unauthorized', `Twilio refused the credentials (HTTP ${status}): ${message}`, false, { cause: error });
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    return new UpstreamError('twilio_rejected', `Twilio refused the request (HTTP ${status}): ${message}`, false, { cause: error });
  }
  const why = status === undefined ? message : `HTTP ${status}`;
  return new UpstreamError('twilio_unavailable', `Twilio's REST API did not answer usefully (${why})`, true, { cause: error });
}
