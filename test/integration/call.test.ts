import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import twilio from 'twilio';
import { callerClip } from '../../src/sim/assets.js';
import { WebhookRefused } from '../../src/sim/twilio-caller.js';
import { TEST_AUTH_TOKEN, metricValue, startHarness, useHarness } from '../support/harness.js';
import { shortCall } from '../support/scenarios.js';

describe('a whole call through the real server', () => {
  const fixture = useHarness({ simulator: { scenario: shortCall } });

  it('greets, transcribes the caller, streams the bot per delta with marks, and ends cleanly', async () => {
    const { harness, api } = fixture;
    const caller = await harness.caller({ from: '+14155550100' }).dial();

    await caller.waitForBotReply(1);
    for (const turn of shortCall.turns) {
      const before = caller.botTurns.length;
      await caller.say(callerClip(turn.callerClip).mulaw);
      await caller.waitForBotReply(before + 1);
    }
    await caller.hangUp();
    const stored = await api.waitForCall(caller.callSid, (call) => call.status === 'completed', 'the call to be stored as completed');

    const sim = harness.simulator.sessions[0]!;
    // The greeting was heard in full, first.
    const greeting = sim.responses[0]!;
    expect(greeting.reply).toBe('greeting-en');
    expect(caller.botTurns[0]!.playedMs).toBeGreaterThan(4000);
    expect(caller.botTurns).toHaveLength(3);

    // Streaming: the caller had bot audio before the model finished the greeting.
    expect(caller.received[0]!.atMs).toBeLessThan(greeting.doneAtMs!);
    // One media message and one mark per delta, every mark echoed back.
    expect(caller.received).toHaveLength(sim.deltasSent.length);
    expect(caller.marksEchoed).toHaveLength(sim.deltasSent.length);
    const receivedMs = caller.received.reduce((sum, media) => sum + media.bytes / 8, 0);
    const generatedMs = sim.deltasSent.reduce((sum, delta) => sum + delta.ms, 0);
    expect(Math.abs(receivedMs - generatedMs)).toBeLessThan(20);

    // Caller turns transcribed, in order, between the bot's.
    const { turns } = stored;
    expect(turns.map((turn) => [turn.role, turn.text])).toEqual([
      ['assistant', 'Hello, thanks for calling Acme support. How can I help you today?'],
      ['user', callerClip('en-change-address').transcript],
      ['assistant', 'Done. I have changed the delivery address to twelve Baker Street.'],
      ['user', callerClip('en-goodbye').transcript],
      ['assistant', "You're welcome. Thanks for calling, goodbye!"],
    ]);
    expect(turns.every((turn) => !turn.interrupted)).toBe(true);

    // The model got a GA session.update first, then every caller frame as 24 kHz PCM16.
    const [first] = sim.received;
    expect(first!.event).toMatchObject({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcm', rate: 24000 } } } },
    });
    const appends = sim.receivedOf('input_audio_buffer.append');
    expect(appends.length).toBeGreaterThanOrEqual(caller.sent.length - 5);
    expect(Buffer.from(String(appends[10]!.event['audio']), 'base64').length).toBe(960);

    expect(stored.figures?.['firstAudioMs']).toBeGreaterThan(0);
    expect(metricValue(await harness.metrics(), 'callbridge_calls_total', { status: 'completed' })).toBe(1);
  });
});

describe('signatures', () => {
  const fixture = useHarness();

  it('refuses the voice webhook with a wrong or missing signature (403) and opens no model session', async () => {
    const { harness, api } = fixture;
    for (const signing of ['wrong-token', 'none'] as const) {
      const error = await harness.caller({ signing }).dial().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WebhookRefused);
      expect((error as WebhookRefused).status).toBe(403);
    }
    expect(await api.calls()).toEqual([]);
    expect(harness.simulator.sessions).toHaveLength(0);
    expect(metricValue(await harness.metrics(), 'callbridge_signature_failures_total', { surface: 'webhook' })).toBe(2);
  });

  it('validates the webhook against PUBLIC_URL when set, not the local address', async () => {
    const behindProxy = await startHarness({ env: { PUBLIC_URL: 'https://abc123.ngrok.app' } });
    try {
      const refused = await behindProxy.caller().dial().catch((caught: unknown) => caught);
      expect((refused as WebhookRefused).status).toBe(403);
      const twiml = await behindProxy
        .caller({ publicUrl: 'https://abc123.ngrok.app' })
        .dial()
        .then(() => 'connected');
      expect(twiml).toBe('connected');
    } finally {
      await behindProxy.close();
    }
  });

  it('refuses the media stream upgrade without a valid signature (403)', async () => {
    const { harness } = fixture;
    const url = `${harness.server.url.replace('http', 'ws')}/twilio/media`;
    const attempts = [
      {},
      { 'x-twilio-signature': twilio.getExpectedTwilioSignature('wrong-token', url, {}) },
      { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `${url}?x=1`, {}) },
    ];
    for (const headers of attempts) {
      const status = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(url, { headers });
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => reject(new Error('upgrade accepted')));
        socket.once('error', () => undefined);
      });
      expect(status).toBe(403);
    }
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(`${url}/`, {
        headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `${url}/`, {}) },
      });
      socket.once('open', () => {
        socket.close();
        resolve(true);
      });
      socket.once('unexpected-response', () => resolve(false));
    });
    expect(accepted).toBe(true);
    expect(metricValue(await harness.metrics(), 'callbridge_signature_failures_total', { surface: 'upgrade' })).toBe(3);
  });
});
