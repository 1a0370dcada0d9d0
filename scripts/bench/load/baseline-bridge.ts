import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { loadResamplerEngine } from '../../../src/audio/resampler.js';
import { CallerToModelTranscoder, ModelToCallerTranscoder } from '../../../src/audio/transcoder.js';

/*
 * The two baselines of the load benchmark, as their own process so their CPU is measured like callbridge's:
 * - relay: forwards G.711 payloads untouched both ways, as Twilio's official sample does (no validation);
 * - floor: the same plus only what carrying PCM16 24 kHz to the model makes unavoidable: callbridge's own
 *   transcoders, the bigger payloads, a mark per delta.
 * Usage: baseline-bridge.ts relay|floor, with MODEL_URL and MODEL_API_KEY in the environment.
 */

const mode = process.argv[2];
if (mode !== 'relay' && mode !== 'floor') throw new Error('usage: baseline-bridge.ts relay|floor');
const modelUrl = process.env['MODEL_URL'] ?? '';
const format = mode === 'relay' ? { type: 'audio/pcmu' } : { type: 'audio/pcm', rate: 24000 };
const engine = mode === 'floor' ? await loadResamplerEngine() : undefined;

const server = createServer((_request, response) => response.writeHead(404).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on('connection', (phone) => {
  const toModel = engine ? new CallerToModelTranscoder(engine) : undefined;
  const toCaller = engine ? new ModelToCallerTranscoder(engine) : undefined;
  let streamSid = '';
  let marks = 0;
  const model = new WebSocket(modelUrl, { headers: { Authorization: `Bearer ${process.env['MODEL_API_KEY'] ?? ''}` }, perMessageDeflate: false });
  model.on('open', () => {
    model.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', audio: { input: { format }, output: { format, voice: 'alloy' } } } }));
    model.send(JSON.stringify({ type: 'response.create' }));
  });
  model.on('message', (data) => {
    const event = JSON.parse(data.toString()) as { type: string; delta?: string };
    if (event.type !== 'response.output_audio.delta' || !event.delta || phone.readyState !== phone.OPEN) return;
    const mulaw = toCaller?.transcode(Buffer.from(event.delta, 'base64'));
    const payload = mulaw ? Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64') : event.delta;
    phone.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
    phone.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: `m${marks++}` } }));
  });
  phone.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { event: string; streamSid?: string; media?: { payload: string } };
    if (message.event === 'start') streamSid = message.streamSid ?? '';
    if (message.event !== 'media' || !message.media || model.readyState !== model.OPEN) return;
    const audio = toModel ? toModel.transcode(Buffer.from(message.media.payload, 'base64')).toString('base64') : message.media.payload;
    model.send(JSON.stringify({ type: 'input_audio_buffer.append', audio }));
  });
  const close = () => {
    toModel?.close();
    toCaller?.close();
    model.close();
    phone.close();
  };
  phone.on('close', close);
  model.on('close', close);
  model.on('error', close);
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
