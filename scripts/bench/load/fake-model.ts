import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { base64FieldBytes } from './fake-phone.js';
import type { Tls } from '../../../src/sim/tls-certificate.js';

/** What the model side speaks in a run: PCM16 24 kHz (the transcoding bridges) or G.711 mu-law 8 kHz. */
export type ModelAudio = 'pcm16' | 'pcmu';

export const DELTA_MS = 50;
const BYTES_PER_MS: Record<ModelAudio, number> = { pcm16: 48, pcmu: 8 };

/**
 * The model's end of one call in the load benchmark: answers the bridge's first response.create with
 * one long response of paced deltas once the run starts, and records when each caller frame arrives.
 */
export class ModelLeg {
  readonly socket: WebSocket;
  /** When each delta left, on the benchmark's clock; the phone side pairs its frames with them. */
  readonly deltaSentAtMs: Float64Array;
  deltasSent = 0;
  audioInMs = 0;
  framesIn = 0;
  /** Set by the benchmark once the phone side of this call is known: when frame k left the phone. */
  frameSentAtMs: Float64Array | undefined;
  readonly inLatencyMs: number[] = [];
  #responseId: string | undefined;
  readonly #audio: ModelAudio;
  readonly #deltaJson: (eventNumber: number) => string;
  #eventNumber = 0;

  constructor(socket: WebSocket, audio: ModelAudio, deltaBase64: string, maxDeltas: number) {
    this.socket = socket;
    this.#audio = audio;
    this.deltaSentAtMs = new Float64Array(maxDeltas);
    const head = '{"type":"response.output_audio.delta","event_id":"evt_';
    const tail = `","response_id":"resp_load","item_id":"item_load","output_index":0,"content_index":0,"delta":"${deltaBase64}"}`;
    this.#deltaJson = (eventNumber) => head + eventNumber + tail;
    socket.on('message', (data) => this.#onMessage(data.toString()));
    this.#send({ type: 'session.created', session: {} });
  }

  get responseRequested(): boolean {
    return this.#responseId !== undefined;
  }

  sendDelta(): void {
    this.deltaSentAtMs[this.deltasSent++] = performance.now();
    this.socket.send(this.#deltaJson(this.#eventNumber++));
  }

  finishResponse(): void {
    if (!this.#responseId) return;
    this.#send({ type: 'response.output_audio.done', response_id: this.#responseId, item_id: 'item_load' });
    this.#send({ type: 'response.done', response: { id: this.#responseId, status: 'completed', output: [] } });
  }

  #onMessage(text: string): void {
    // Caller audio is nearly all the traffic: counted from the text, so the benchmark's own parsing stays cheap.
    if (text.includes('"input_audio_buffer.append"')) {
      this.audioInMs += base64FieldBytes(text, '"audio":"') / BYTES_PER_MS[this.#audio];
      const sentAtMs = this.frameSentAtMs?.[this.framesIn];
      if (sentAtMs !== undefined && sentAtMs > 0) this.inLatencyMs.push(performance.now() - sentAtMs);
      this.framesIn++;
      return;
    }
    const event = JSON.parse(text) as { type: string };
    if (event.type === 'session.update') this.#send({ type: 'session.updated', session: {} });
    if (event.type === 'response.create' && !this.#responseId) {
      this.#responseId = 'resp_load';
      this.#send({ type: 'response.created', response: { id: this.#responseId, status: 'in_progress', output: [] } });
      this.#send({
        type: 'response.output_item.added',
        response_id: this.#responseId,
        output_index: 0,
        item: { id: 'item_load', type: 'message', role: 'assistant', status: 'in_progress', content: [] },
      });
    }
  }

  #send(event: Record<string, unknown>): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify({ ...event, event_id: `evt_${this.#eventNumber++}` }));
  }
}

/** A TLS WebSocket endpoint standing in for the Realtime API, as the real one is reached over wss://. */
export class FakeModel {
  readonly legs: ModelLeg[] = [];
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #url = '';
  audio: ModelAudio = 'pcm16';
  #deltaBase64 = '';
  #maxDeltas = 0;

  constructor(private readonly tls: Tls) {}

  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    const server = createServer({ key: this.tls.key, cert: this.tls.cert });
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (socket) => {
      const leg = new ModelLeg(socket, this.audio, this.#deltaBase64, this.#maxDeltas);
      this.legs.push(leg);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.#wss = wss;
    this.#url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/v1/realtime`;
    return this;
  }

  /** A fresh run: what the legs of the next bridge send, and how long their response lasts. */
  reset(audio: ModelAudio, deltaBase64: string, maxDeltas: number): void {
    for (const leg of this.legs) leg.socket.terminate();
    this.legs.length = 0;
    this.audio = audio;
    this.#deltaBase64 = deltaBase64;
    this.#maxDeltas = maxDeltas;
  }

  /** Resolves once the `index`-th connection of this run has asked for a response (the greeting). */
  async requestedLeg(index: number, timeoutMs: number): Promise<ModelLeg> {
    const deadline = performance.now() + timeoutMs;
    // Start-up is not measured: polling keeps this simple.
    for (;;) {
      const leg = this.legs[index];
      if (leg?.responseRequested) return leg;
      if (performance.now() > deadline) throw new Error(`model connection ${index} asked for no response within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    for (const leg of this.legs) leg.socket.terminate();
    this.#wss?.close();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

export function modelBytesPerMs(audio: ModelAudio): number {
  return BYTES_PER_MS[audio];
}
