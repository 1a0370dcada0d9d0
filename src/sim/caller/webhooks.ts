import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { readAfterStream, readSay } from '../twiml-reader.js';

export class WebhookRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`voice webhook answered HTTP ${status}`);
    this.status = status;
  }
}

/** What Twilio did after the stream: dial a person (and what they heard first, a warm transfer's whisper) or hang up. */
export interface Continuation {
  dial?: string;
  whisper?: string;
  hangup: boolean;
}

export interface WebhookOptions {
  serverUrl: string;
  publicUrl?: string;
  streamServerUrl?: string;
  authToken: string;
  accountSid: string;
  callSid: string;
  webhookParams?: Record<string, string>;
  from?: string;
  to?: string;
  signing?: 'valid' | 'wrong-token' | 'none';
}

/**
 * Twilio's HTTP side of one call: the signed webhooks it posts (the voice webhook, the TwiML after the
 * stream, a dialled person's `<Number url>`) and the signed stream connection, addressed at the public URL
 * and sent where the server really listens.
 */
export class TwilioWebhooks {
  readonly #options: WebhookOptions;

  constructor(options: WebhookOptions) {
    this.#options = options;
  }

  get #publicUrl(): string {
    return this.#options.publicUrl ?? this.#options.serverUrl;
  }

  /** The voice webhook's fields. */
  params(): Record<string, string> {
    return {
      AccountSid: this.#options.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: this.#options.callSid,
      CallStatus: 'ringing',
      Called: this.#options.to ?? '+15005550006',
      Caller: this.#options.from ?? '+14155550100',
      Direction: 'inbound',
      From: this.#options.from ?? '+14155550100',
      To: this.#options.to ?? '+15005550006',
      ...this.#options.webhookParams,
    };
  }

  /** POSTs a webhook signed against its public URL to the server, and returns the TwiML. */
  async post(publicPathUrl: string, params: Record<string, string>): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const signature = this.#sign(publicPathUrl, params);
    if (signature) headers['x-twilio-signature'] = signature;
    const response = await fetch(this.#options.serverUrl + publicPathUrl.slice(this.#publicUrl.length), {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
    if (!response.ok) throw new WebhookRefused(response.status);
    return response.text();
  }

  /** With `<Connect><Stream>`, the TwiML after `</Connect>` runs once the server closes the stream. */
  async continueAfterStream(continueUrl: string | undefined): Promise<Continuation> {
    if (!continueUrl) return { hangup: true };
    const next = readAfterStream(await this.post(continueUrl, { ...this.params(), CallStatus: 'in-progress' }));
    const whisper = next.whisperUrl === undefined ? undefined : await this.#fetchWhisper(next.whisperUrl);
    return {
      ...(next.dial !== undefined ? { dial: next.dial } : {}),
      ...(whisper !== undefined ? { whisper } : {}),
      hangup: next.hangup,
    };
  }

  /** Where to open the media stream the TwiML names, and the headers Twilio sends with it. */
  streamConnection(streamUrl: string): { url: string; headers: Record<string, string> } {
    // The stream URL in the TwiML is the public one; connect to where the server really listens.
    const publicBase = this.#publicUrl.replace(/^http/, 'ws');
    const localBase = (this.#options.streamServerUrl ?? this.#options.serverUrl).replace(/^http/, 'ws');
    const url = streamUrl.startsWith(publicBase) ? localBase + streamUrl.slice(publicBase.length) : streamUrl;
    const headers: Record<string, string> = { 'user-agent': 'Twilio.TmeWs/1.0' };
    const signature = this.#sign(streamUrl, {});
    if (signature) headers['x-twilio-signature'] = signature;
    return { url, headers };
  }

  /** When the dialled person answers, Twilio fetches `<Number url>` for the child call and plays it to them. */
  async #fetchWhisper(url: string): Promise<string | undefined> {
    const childCall = { ...this.params(), CallSid: `CA${randomBytes(16).toString('hex')}`, ParentCallSid: this.#options.callSid, Direction: 'outbound-dial', CallStatus: 'in-progress' };
    return readSay(await this.post(url, childCall));
  }

  #sign(url: string, params: Record<string, string>): string | undefined {
    const signing = this.#options.signing ?? 'valid';
    if (signing === 'none') return undefined;
    const token = signing === 'wrong-token' ? `${this.#options.authToken}-wrong` : this.#options.authToken;
    return twilio.getExpectedTwilioSignature(token, url, params);
  }
}
