import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { TwilioRestSimulator } from '../../../src/sim/twilio-rest-simulator.js';
import { TwilioSdkRest } from '../../../src/telephony/twilio-rest.js';

const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'rest-test-token';
const NUMBER = '+14155550123';

describe('TwilioSdkRest against the Twilio REST simulator', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function simulator(answeredBy?: string) {
    const sim = await new TwilioRestSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      numbers: [{ phoneNumber: NUMBER, voiceUrl: 'https://old.example/voice', voiceMethod: 'GET' }, { phoneNumber: '+14155550124' }],
      ...(answeredBy ? { answeredBy } : {}),
    }).start();
    cleanups.push(() => sim.close());
    return sim;
  }

  it('lists the numbers, filters by number, and repoints one', async () => {
    const sim = await simulator();
    const rest = new TwilioSdkRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: sim.url });
    expect((await rest.listNumbers()).map((number) => number.phoneNumber)).toEqual([NUMBER, '+14155550124']);
    const [number] = await rest.listNumbers({ phoneNumber: NUMBER });
    expect(number).toEqual({ sid: sim.number(NUMBER)!.sid, phoneNumber: NUMBER, voiceUrl: 'https://old.example/voice', voiceMethod: 'GET' });
    const updated = await rest.setVoiceWebhook(number!.sid, { url: 'https://new.example/twilio/voice', method: 'POST' });
    expect(updated.voiceUrl).toBe('https://new.example/twilio/voice');
    expect(sim.number(NUMBER)).toMatchObject({ voiceUrl: 'https://new.example/twilio/voice', voiceMethod: 'POST' });
  });

  it('places a call that Twilio then dials: a signed POST of its Url with the outbound fields', async () => {
    const sim = await simulator('machine_start');
    const received: { signature: string | undefined; form: Record<string, string> }[] = [];
    const voice = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ signature: request.headers['x-twilio-signature'] as string | undefined, form: Object.fromEntries(new URLSearchParams(body)) });
        response.writeHead(200, { 'content-type': 'text/xml' }).end('<Response><Hangup/></Response>');
      });
    });
    await new Promise<void>((resolve) => voice.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => voice.close(() => resolve())));
    const url = `http://127.0.0.1:${(voice.address() as AddressInfo).port}/twilio/voice?outbound=abc`;
    const rest = new TwilioSdkRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: sim.url });

    const { callSid } = await rest.createCall({ to: '+14155550999', from: NUMBER, url, machineDetection: 'Enable' });
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
    const caller = await sim.calls[0]!.answered;
    expect(caller.continuation).toEqual({ hangup: true });
    expect(received).toHaveLength(1);
    const { form, signature } = received[0]!;
    expect(form).toMatchObject({ CallSid: callSid, From: NUMBER, To: '+14155550999', Direction: 'outbound-api', AnsweredBy: 'machine_start' });
    expect(twilio.validateRequest(AUTH_TOKEN, signature ?? '', url, form)).toBe(true);
  });

  it('tells refused credentials, refused requests and an unreachable API apart', async () => {
    const sim = await simulator();
    const wrong = new TwilioSdkRest({ accountSid: ACCOUNT_SID, authToken: 'wrong', apiBaseUrl: sim.url });
    await expect(wrong.listNumbers()).rejects.toMatchObject({ code: 'twilio_unauthorized', retryable: false });
    const rest = new TwilioSdkRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: sim.url });
    const refused = await rest.createCall({ to: 'nope', from: NUMBER, url: 'http://127.0.0.1:1/' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UpstreamError);
    expect(refused).toMatchObject({ code: 'twilio_rejected', retryable: false });
    expect((refused as Error).message).toContain("Invalid 'To' Phone Number");
    const away = new TwilioSdkRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://127.0.0.1:1' });
    await expect(away.listNumbers()).rejects.toMatchObject({ code: 'twilio_unavailable', retryable: true });
  });
});
