import { callerClip } from './assets.js';

/** A function call the scripted model makes. */
export interface ScriptedTool {
  name: string;
  arguments: Record<string, unknown>;
}

interface TurnReply {
  /** The caller does not wait for this reply to finish: they talk over it once this much of it has played. */
  talkOverAfterMs?: number;
  /** The model first calls these tools, in one response; `reply` then answers their outputs. */
  tools?: ScriptedTool[];
  /** The simulator's answer, a clip in assets/sim-voice. */
  reply: string;
}

/** The caller says a clip from assets/caller. */
export interface SpokenTurn extends TurnReply {
  callerClip: string;
  /** What the simulated transcription "hears" instead of the clip's own transcript (e.g. a card number). */
  transcript?: string;
  keys?: never;
}

/** The caller presses keys, e.g. `4572#`: Twilio `dtmf` messages that callbridge hands the model as text. */
export interface KeysTurn extends TurnReply {
  keys: string;
  callerClip?: never;
}

/** One exchange: what the caller does and how the simulated model answers it. */
export type ScriptedTurn = SpokenTurn | KeysTurn;

export interface Scenario {
  name: string;
  language: string;
  /** Voice clip the bot greets with. */
  greeting: string;
  turns: ScriptedTurn[];
  /** Reply when the caller says more than the script has. */
  fallbackReply: string;
  /**
   * How the call ends once the script is done, so nothing waits on what never comes: the caller hangs up,
   * or the server closes the stream (a transfer, or the bot ending the call) and Twilio runs the TwiML after it.
   */
  end: 'caller-hangs-up' | 'server-closes-stream';
}

// `satisfies`, not an annotation: code that replays a script's turns by hand keeps seeing spoken turns.
export const englishSupportCall = {
  name: 'english-support',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    { callerClip: 'en-order-status', tools: [{ name: 'lookup_order', arguments: { orderId: '4572' } }], reply: 'order-en' },
    { callerClip: 'en-change-address', reply: 'address-en' },
    { callerClip: 'en-goodbye', reply: 'goodbye-en' },
  ],
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
} satisfies Scenario;

/** The bot's second answer is long (about 7 s): room for the caller to talk over it. */
export const bargeInCall = {
  name: 'barge-in',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    { callerClip: 'en-order-status', reply: 'long-en', talkOverAfterMs: 1500 },
    { callerClip: 'en-interrupt', reply: 'sorry-en' },
    { callerClip: 'en-goodbye', reply: 'goodbye-en' },
  ],
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
} satisfies Scenario;

/** The caller asks for a person; the model calls the hand-off tool, then says it is transferring. */
export const handoffCall = {
  name: 'handoff',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    {
      callerClip: 'en-human',
      tools: [{ name: 'transfer_to_human', arguments: { reason: 'refund request' } }],
      reply: 'handoff-en',
    },
  ],
  fallbackReply: 'fallback-en',
  end: 'server-closes-stream',
} satisfies Scenario;

/** The caller keys in the order number instead of saying it. */
export const keysCall = {
  name: 'keys',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    { keys: '4572#', reply: 'order-en' },
    { callerClip: 'en-goodbye', reply: 'goodbye-en' },
  ],
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
} satisfies Scenario;

/** The caller says goodbye and the model ends the call: it calls `end_call`, says goodbye, and callbridge hangs up. */
export const botHangsUpCall = {
  name: 'bot-hangs-up',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    { callerClip: 'en-order-status', reply: 'order-en' },
    { callerClip: 'en-goodbye', tools: [{ name: 'end_call', arguments: { reason: 'caller said goodbye' } }], reply: 'goodbye-en' },
  ],
  fallbackReply: 'fallback-en',
  end: 'server-closes-stream',
} satisfies Scenario;

export const frenchCall = {
  name: 'french',
  language: 'fr',
  greeting: 'greeting-fr',
  turns: [
    { callerClip: 'fr-rendez-vous', reply: 'rendezvous-fr' },
    { callerClip: 'fr-identite', reply: 'identite-fr' },
    { callerClip: 'fr-merci', reply: 'merci-fr' },
  ],
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
} satisfies Scenario;

/** The scenarios `npm run demo` and `npm run call` offer, by the name on their command line. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  english: englishSupportCall,
  'barge-in': bargeInCall,
  french: frenchCall,
  handoff: handoffCall,
  keys: keysCall,
  'bot-hangs-up': botHangsUpCall,
};

/**
 * The simulator's side of a scenario: hands out, in order, what each user turn "said" (a committed
 * audio turn, or a text message the client created for key presses) and what answers it. Share one
 * cursor between sessions to continue a call across reconnects.
 */
export class ScriptCursor {
  readonly scenario: Scenario;
  #next = 0;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
  }

  /** A keys turn's transcript is the keys themselves: there is no audio to transcribe. */
  nextUserTurn(): { transcript: string; reply: string; tools: ScriptedTool[] } {
    const turn = this.scenario.turns[this.#next++];
    if (!turn) return { transcript: '', reply: this.scenario.fallbackReply, tools: [] };
    const transcript = turn.keys !== undefined ? turn.keys : (turn.transcript ?? callerClip(turn.callerClip).transcript);
    return { transcript, reply: turn.reply, tools: turn.tools ?? [] };
  }
}

/** A cursor factory for the simulator that every session shares: the script continues across reconnects. */
export function continuingAcrossSessions(scenario: Scenario): () => ScriptCursor {
  const cursor = new ScriptCursor(scenario);
  return () => cursor;
}
