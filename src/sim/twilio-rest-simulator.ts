import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatedCaller } from './twilio-caller.js';

/** One of the simulated account's numbers, as Twilio keeps it. */
export interface SimulatedNumber {
  sid: string;
  phoneNumber: string;
  voiceUrl: string;
  voiceMethod: string;
}

/** A call placed through `POST /Calls.json`. */
export interface PlacedCall {
  sid: string;
  to: string;
  from: string;
  url: string;
  machineDetection: string | undefined;
  /** The called party, once Twilio has fetched the TwiML and followed it (a stream, or a hang-up). */
  answered: Promise<SimulatedCaller>;
}

export interface TwilioRestSimulatorOptions {
  accountSid: string;
  authToken: string;
  numbers?: { phoneNumber: string; voiceUrl?: string; voiceMethod?: string }[];
  /** What answering-machine detection reports when a call asks for it; default `human`. */
  answeredBy?: string;
}

const API_VERSION = '2010-04-01';

/**
 * An offline stand-in for what callbridge uses of Twilio's REST API: listing and repointing incoming
 * numbers, and placing calls. A placed call is really dialled, as Twilio would: the simulator POSTs the
 * call's `Url` (signed, `Direction=outbound-api`, `AnsweredBy` with machine detection), follows the TwiML
 * and opens the media stream with a `SimulatedCaller` as the person who picked up.
 */
export class TwilioRestSimulator {
  readonly numbers: SimulatedNumber[];
  readonly calls: PlacedCall[] = [];
  readonly #options: TwilioRestSimulatorOptions;
  readonly #server: Server;
  readonly #callers: SimulatedCaller[] = [];
  #url = '';

  constructor(options: TwilioRestSimulatorOptions) {
    this.#options = options;
    this.numbers = (options.numbers ?? []).map((number) => ({
      sid: `PN${randomBytes(16).toString('hex')}`,
      phoneNumber: number.phoneNumber,
      voiceUrl: number.voiceUrl ?? '',
      voiceMethod: number.voiceMethod ?? 'POST',
    }));
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  /** For TWILIO_API_BASE_URL. */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  number(phoneNumber: string): SimulatedNumber | undefined {
    return this.numbers.find((number) => number.phoneNumber === phoneNumber);
  }

  async close(): Promise<void> {
    await Promise.all(this.#callers.map((caller) => caller.hangUp()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const url = new URL(request.url ?? '/', 'http://sim');
    const { accountSid, authToken } = this.#options;
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      return error(response, 401, 20003, 'Authenticate');
    }
    const base = `/${API_VERSION}/Accounts/${accountSid}`;
    const path = url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length) : undefined;
    if (request.method === 'GET' && path === '/IncomingPhoneNumbers.json') {
      const wanted = url.searchParams.get('PhoneNumber');
      const numbers = this.numbers.filter((number) => wanted === null || number.phoneNumber === wanted);
      return json(response, 200, {
        incoming_phone_numbers: numbers.map((number) => this.#numberJson(number)),
        uri: url.pathname,
        first_page_uri: url.pathname,
        next_page_uri: null,
        previous_page_uri: null,
        page: 0,
        page_size: 50,
        start: 0,
        end: Math.max(0, numbers.length - 1),
      });
    }
    const numberSid = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(path ?? '')?.[1];
    if (request.method === 'POST' && numberSid !== undefined) {
      const number = this.numbers.find((candidate) => candidate.sid === numberSid);
      if (!number) return error(response, 404, 20404, `The requested resource ${url.pathname} was not found`);
      if (form['VoiceUrl'] !== undefined) number.voiceUrl = form['VoiceUrl'];
      if (form['VoiceMethod'] !== undefined) number.voiceMethod = form['VoiceMethod'];
      return json(response, 200, this.#numberJson(number));
    }
    if (request.method === 'POST' && path === '/Calls.json') return this.#createCall(form, response);
    return error(response, 404, 20404, `The requested resource ${url.pathname} was not found`);
  }

  #createCall(form: Record<string, string>, response: ServerResponse): void {
    const { To: to, From: from, Url: url, MachineDetection: machineDetection } = form;
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to)) return error(response, 400, 21211, `Invalid 'To' Phone Number: ${to ?? ''}`);
    if (!from || !this.number(from)) return error(response, 400, 21210, `'From' phone number not verified for this account: ${from ?? ''}`);
    if (!url) return error(response, 400, 21205, 'Url parameter is required');
    const sid = `CA${randomBytes(16).toString('hex')}`;
    const caller = new SimulatedCaller({
      serverUrl: new URL(url).origin,
      authToken: this.#options.authToken,
      accountSid: this.#options.accountSid,
      callSid: sid,
      from,
      to,
      voiceUrl: url,
      webhookParams: {
        Direction: 'outbound-api',
        CallStatus: 'in-progress',
        ...(machineDetection ? { AnsweredBy: this.#options.answeredBy ?? 'human' } : {}),
      },
    });
    this.#callers.push(caller);
    // Answered once the API has said "queued", as a real phone rings after Twilio's reply.
    const answered = new Promise<void>((resolve) => response.once('finish', resolve)).then(() => caller.dial());
    answered.catch(() => undefined);
    this.calls.push({ sid, to, from, url, machineDetection, answered });
    json(response, 201, {
      sid,
      account_sid: this.#options.accountSid,
      to,
      from,
      status: 'queued',
      direction: 'outbound-api',
      api_version: API_VERSION,
      uri: `/${API_VERSION}/Accounts/${this.#options.accountSid}/Calls/${sid}.json`,
    });
  }

  #numberJson(number: SimulatedNumber) {
    return {
      sid: number.sid,
      account_sid: this.#options.accountSid,
      phone_number: number.phoneNumber,
      friendly_name: number.phoneNumber,
      voice_url: number.voiceUrl,
      voice_method: number.voiceMethod,
      api_version: API_VERSION,
    };
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Twilio's error body: its own numeric code, a message, and where to read more. */
function error(response: ServerResponse, status: number, code: number, message: string): void {
  json(response, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}
