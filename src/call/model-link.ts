import { EventEmitter } from 'node:events';
import type { RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import type { Logger } from '../log.js';
import { appendAudio, sessionUpdate, type RealtimeClientEvent } from '../realtime/client-events.js';
import type { RealtimeClosed, RealtimeConnection, RealtimeConnector } from '../realtime/connection.js';
import type { RealtimeServerEvent } from '../realtime/server-events.js';

export interface ReconnectPolicy {
  /** Attempts after a loss before the call is given up; 0 disables reconnecting. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1; injectable so tests are deterministic. */
  random: () => number;
}

export interface ModelLinkOptions {
  connect: RealtimeConnector;
  session: RealtimeSessionCreateRequest;
  logger: Logger;
  now: () => number;
  reconnect: ReconnectPolicy;
  /** Rotate to a fresh session before the service's maximum session duration. */
  maxSessionMs: number;
  /** Caller audio kept while no session is ready; older audio is dropped first. */
  holdLimitMs: number;
  /** A session that is not configured this long after connecting counts as a failed attempt. */
  readyTimeoutMs: number;
  /**
   * Events that rebuild the conversation in a fresh session (summary, recent turns). Called once the
   * new session is configured, before held audio is flushed.
   */
  seed: () => RealtimeClientEvent[];
  /** Whether now is a good moment to swap sessions (nobody speaking, no response running). */
  isQuiet: () => boolean;
}

export interface ReadyInfo {
  /** False for the call's first session. */
  reconnected: boolean;
  /** Time without a usable session, for reconnects. */
  gapMs: number;
}

export type ModelLinkEvents = {
  ready: [ReadyInfo];
  event: [RealtimeServerEvent];
  rejected: [reason: string];
  /** The session is gone (dropped or rotated); a new one is being opened. */
  lost: [RealtimeClosed | { code: 0; reason: 'rotation'; byUs: true }];
  /** Every attempt failed: the call cannot continue with the model. */
  failed: [];
  /** Caller audio that could not be held while no session was ready. */
  droppedAudio: [ms: number];
};

type LinkState =
  | { status: 'connecting'; connection: RealtimeConnection; attempt: number; timer: NodeJS.Timeout }
  | { status: 'ready'; connection: RealtimeConnection; rotationTimer: NodeJS.Timeout | undefined }
  | { status: 'backing-off'; attempt: number; timer: NodeJS.Timeout }
  | { status: 'failed' }
  | { status: 'closed' };

const ROTATION_POLL_MS = 250;

/**
 * Reconnect backoff in production (tests pass their own): the first retry after a quarter second
 * (a dropped socket usually comes back at once), doubling to at most 5 s so that the caller, who is
 * still on the line, waits seconds, not minutes, for the last attempt.
 */
export const RECONNECT_BACKOFF = { baseDelayMs: 250, maxDelayMs: 5000 } as const;
/**
 * Caller audio held while no session is ready, newest kept: what the caller just said survives a
 * reconnect, a long gap is not replayed to the model.
 */
export const HELD_AUDIO_LIMIT_MS = 2000;
/** A session still not configured after 10 s counts as a failed attempt, so the backoff tries another. */
export const SESSION_READY_TIMEOUT_MS = 10_000;

/**
 * The call's link to the model across as many Realtime sessions as it takes: configures each one,
 * holds caller audio while none is ready, reconnects with backoff and jitter when a socket drops,
 * and rotates sessions before their maximum duration. Owns every socket and timer it creates.
 */
export class ModelLink extends EventEmitter<ModelLinkEvents> {
  readonly #options: ModelLinkOptions;
  #state: LinkState;
  #sessions = 0;
  #lostAtMs: number | undefined;
  #held: { audio: string; ms: number }[] = [];
  #heldMs = 0;
  /** Caller audio appended to the current session: where its input-audio clock (`audio_end_ms`...) stands now. */
  #sessionAudioMs = 0;

  constructor(options: ModelLinkOptions) {
    super();
    this.#options = options;
    this.#state = this.#connect(0);
  }

  get isReady(): boolean {
    return this.#state.status === 'ready';
  }

  /** Caller audio (PCM16 24 kHz, base64). Sent now if a session is ready, else held within the bound. */
  appendAudio(pcm16Base64: string, durationMs: number): void {
    if (this.#state.status === 'ready') {
      this.#state.connection.send(appendAudio(pcm16Base64));
      this.#sessionAudioMs += durationMs;
      return;
    }
    if (this.#state.status === 'failed' || this.#state.status === 'closed') return;
    this.#held.push({ audio: pcm16Base64, ms: durationMs });
    this.#heldMs += durationMs;
    let droppedMs = 0;
    while (this.#heldMs > this.#options.holdLimitMs && this.#held.length > 0) {
      const oldest = this.#held.shift()!;
      this.#heldMs -= oldest.ms;
      droppedMs += oldest.ms;
    }
    if (droppedMs > 0) this.emit('droppedAudio', droppedMs);
  }

  /**
   * Sends a control event to the current session. Returns false when no session is ready: such events
   * refer to the session that was lost, so they are dropped rather than replayed into the next one.
   */
  send(event: RealtimeClientEvent): boolean {
    if (this.#state.status !== 'ready') return false;
    return this.#state.connection.send(event);
  }

  /**
   * When the caller audio at `audioMs` on the current session's input-audio clock reached callbridge,
   * on the call's clock. Caller audio arrives in real time and gaps are filled with silence, so that
   * clock runs with the wall clock: the audio at `audioMs` came as long ago as the audio appended since.
   * Held audio flushed into a new session keeps its place, as it was appended in arrival order.
   */
  audioReceivedAtMs(audioMs: number): number {
    return this.#options.now() - Math.max(0, this.#sessionAudioMs - audioMs);
  }

  close(): void {
    this.#teardown();
    this.#state = { status: 'closed' };
    this.#held = [];
    this.#heldMs = 0;
  }

  #connect(attempt: number): LinkState {
    const connection = this.#options.connect();
    const timer = setTimeout(() => {
      this.#options.logger.warn({ attempt }, 'realtime session not ready in time');
      connection.close();
      this.#onAttemptFailed(attempt);
    }, this.#options.readyTimeoutMs);
    connection.on('open', () => connection.send(sessionUpdate(this.#options.session)));
    connection.on('event', (event) => this.#onEvent(connection, event));
    connection.on('rejected', (reason) => this.emit('rejected', reason));
    connection.on('closed', (closed) => this.#onClosed(connection, closed));
    return { status: 'connecting', connection, attempt, timer };
  }

  #onEvent(connection: RealtimeConnection, event: RealtimeServerEvent): void {
    const state = this.#state;
    if (!('connection' in state) || state.connection !== connection) return;
    if (state.status === 'connecting' && event.type === 'session.updated') {
      clearTimeout(state.timer);
      this.#becomeReady(connection);
      return;
    }
    if (state.status === 'connecting' && event.type === 'error') {
      this.#options.logger.error({ code: event.error.code, message: event.error.message }, 'realtime session setup error');
    }
    this.emit('event', event);
  }

  #becomeReady(connection: RealtimeConnection): void {
    const reconnected = this.#sessions > 0;
    this.#sessions++;
    if (reconnected) for (const event of this.#options.seed()) connection.send(event);
    // Every session's input-audio clock starts at zero.
    this.#sessionAudioMs = this.#heldMs;
    for (const held of this.#held) connection.send(appendAudio(held.audio));
    this.#held = [];
    this.#heldMs = 0;
    const rotationTimer = setTimeout(() => this.#rotateWhenQuiet(connection), this.#options.maxSessionMs);
    this.#state = { status: 'ready', connection, rotationTimer };
    const gapMs = reconnected && this.#lostAtMs !== undefined ? this.#options.now() - this.#lostAtMs : 0;
    this.#lostAtMs = undefined;
    this.emit('ready', { reconnected, gapMs });
  }

  #onClosed(connection: RealtimeConnection, closed: RealtimeClosed): void {
    const state = this.#state;
    if (!('connection' in state) || state.connection !== connection || closed.byUs) return;
    this.#options.logger.warn({ code: closed.code, reason: closed.reason }, 'realtime session lost');
    if (state.status === 'connecting') {
      clearTimeout(state.timer);
      this.#onAttemptFailed(state.attempt);
      return;
    }
    if (state.rotationTimer) clearTimeout(state.rotationTimer);
    this.#lostAtMs = this.#options.now();
    this.emit('lost', closed);
    this.#onAttemptFailed(0);
  }

  #onAttemptFailed(attempt: number): void {
    if (this.#state.status === 'closed') return;
    this.#lostAtMs ??= this.#options.now();
    const { attempts, baseDelayMs, maxDelayMs, random } = this.#options.reconnect;
    if (attempt >= attempts) {
      this.#options.logger.error({ attempts }, 'giving up on the realtime session');
      this.#state = { status: 'failed' };
      this.#held = [];
      this.#heldMs = 0;
      this.emit('failed');
      return;
    }
    // Equal jitter: never a zero delay, and many calls dropped at once do not retry in lockstep.
    const ceilingMs = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    const delayMs = ceilingMs / 2 + random() * (ceilingMs / 2);
    const next = attempt + 1;
    const timer = setTimeout(() => {
      if (this.#state.status === 'backing-off') this.#state = this.#connect(next);
    }, delayMs);
    this.#state = { status: 'backing-off', attempt: next, timer };
  }

  #rotateWhenQuiet(connection: RealtimeConnection): void {
    const state = this.#state;
    if (state.status !== 'ready' || state.connection !== connection) return;
    if (!this.#options.isQuiet()) {
      state.rotationTimer = setTimeout(() => this.#rotateWhenQuiet(connection), ROTATION_POLL_MS);
      return;
    }
    this.#options.logger.info('rotating realtime session before its maximum duration');
    connection.close();
    this.#lostAtMs = this.#options.now();
    this.emit('lost', { code: 0, reason: 'rotation', byUs: true });
    this.#state = this.#connect(0);
  }

  #teardown(): void {
    const state = this.#state;
    if (state.status === 'connecting') {
      clearTimeout(state.timer);
      state.connection.close();
    } else if (state.status === 'ready') {
      if (state.rotationTimer) clearTimeout(state.rotationTimer);
      state.connection.close();
    } else if (state.status === 'backing-off') {
      clearTimeout(state.timer);
    }
  }
}
