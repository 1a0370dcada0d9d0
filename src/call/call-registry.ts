import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { CallDirection } from '../store/types.js';
import type { CallPlan } from './call-script.js';
import type { StreamStart, TwilioMediaStream } from '../telephony/media-stream.js';
import type { CallSession } from './call-session.js';

const HANDOFF_MEMORY_MS = 10 * 60_000;

export interface CallParties {
  from: string | undefined;
  to: string | undefined;
  direction: CallDirection;
}

export type CallRegistryEvents = {
  /** A new call exists; subscribe to its events now, before any of them fire. */
  call: [CallSession, CallParties];
};

export interface CallRegistryOptions {
  /** `plan`: what an outbound call was asked to say; undefined: the configured bot. */
  createSession: (callSid: string, parties: CallParties, plan: CallPlan | undefined) => CallSession;
  logger: Logger;
  /** A stream that sends no `start` within this long is closed; default 10 s. */
  startTimeoutMs?: number;
}

/**
 * The live calls of this process, by CallSid: created when the webhook fires (so the model session
 * opens while Twilio is still connecting the stream) or, failing that, when the stream starts.
 */
export class CallRegistry extends EventEmitter<CallRegistryEvents> {
  readonly #sessions = new Map<string, CallSession>();
  readonly #waitingStreams = new Set<TwilioMediaStream>();
  /** Calls handed to a human, until Twilio asks what to do next (or 10 minutes pass). */
  readonly #handoffs = new Map<string, number>();
  readonly #options: CallRegistryOptions;
  #draining = false;

  constructor(options: CallRegistryOptions) {
    super();
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  get(callSid: string): CallSession | undefined {
    return this.#sessions.get(callSid);
  }

  sessions(): CallSession[] {
    return [...this.#sessions.values()];
  }

  /** The voice webhook fired: start the call's model session right away. */
  prepare(callSid: string, parties: CallParties, plan?: CallPlan): CallSession {
    return this.#sessions.get(callSid) ?? this.#create(callSid, parties, plan);
  }

  /** A media stream connected; it joins its call once Twilio says which one (`start`). */
  adoptStream(stream: TwilioMediaStream): void {
    this.#waitingStreams.add(stream);
    const timer = setTimeout(() => {
      this.#options.logger.warn('media stream sent no start message');
      stream.close(1008, 'no start message');
    }, this.#options.startTimeoutMs ?? 10_000);
    const forget = () => {
      clearTimeout(timer);
      this.#waitingStreams.delete(stream);
    };
    stream.once('closed', forget);
    stream.once('start', (start: StreamStart) => {
      forget();
      stream.off('closed', forget);
      const { from, to, direction } = start.customParameters;
      const parties: CallParties = { from, to, direction: direction === 'outbound' ? 'outbound' : 'inbound' };
      // A stream whose webhook went to another instance: that one took the call's script, this one has the configured bot.
      const session = this.#sessions.get(start.callSid) ?? this.#create(start.callSid, parties, undefined);
      session.attachStream(stream, start);
    });
  }

  /** Whether the call was just handed off to a human; answers true once. */
  takeHandoff(callSid: string): boolean {
    return this.#handoffs.delete(callSid);
  }

  /** Stops taking calls and waits up to `timeoutMs` for live ones to end, then ends the rest. */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    for (const stream of this.#waitingStreams) stream.close(1001, 'shutting down');
    const deadline = Date.now() + timeoutMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const session of this.sessions()) session.end('interrupted', 'server shutting down');
  }

  #create(callSid: string, parties: CallParties, plan: CallPlan | undefined): CallSession {
    const session = this.#options.createSession(callSid, parties, plan);
    this.#sessions.set(callSid, session);
    session.once('ended', () => this.#sessions.delete(callSid));
    session.once('handoff', () => {
      const now = Date.now();
      for (const [sid, at] of this.#handoffs) if (now - at > HANDOFF_MEMORY_MS) this.#handoffs.delete(sid);
      this.#handoffs.set(callSid, now);
    });
    this.emit('call', session, parties);
    return session;
  }
}
