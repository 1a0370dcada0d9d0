import { callerClip } from './assets.js';

/** One exchange: what the caller says (a clip in assets/caller) and the simulator's reply (assets/sim-voice). */
export interface ScriptedTool {
  name: string;
  arguments: Record<string, unknown>;
}

export interface ScriptedTurn {
  callerClip: string;
  /** The caller does not wait for this reply to finish: they talk over it once this much of it has played. */
  talkOverAfterMs?: number;
  /** The model first calls this tool; `reply` then answers the tool's output. */
  tool?: ScriptedTool;
  reply: string;
}

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

export const englishSupportCall: Scenario = {
  name: 'english-support',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    { callerClip: 'en-order-status', reply: 'order-en' },
    { callerClip: 'en-change-address', reply: 'address-en' },
    { callerClip: 'en-goodbye', reply: 'goodbye-en' },
  ],
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
};

/** The bot's second answer is long (about 7 s): room for the caller to talk over it. */
export const bargeInCall: Scenario = {
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
};

/** The caller asks for a person; the model calls the hand-off tool, then says it is transferring. */
export const handoffCall: Scenario = {
  name: 'handoff',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    {
      callerClip: 'en-human',
      tool: { name: 'transfer_to_human', arguments: { reason: 'refund request' } },
      reply: 'handoff-en',
    },
  ],
  fallbackReply: 'fallback-en',
  end: 'server-closes-stream',
};

export const frenchCall: Scenario = {
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
};

/** The scenarios `npm run demo` and `npm run call` offer, by the name on their command line. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  english: englishSupportCall,
  'barge-in': bargeInCall,
  french: frenchCall,
  handoff: handoffCall,
};

/**
 * The simulator's side of a scenario: hands out, in order, what each committed user turn "said"
 * and which clip answers it. Share one cursor between sessions to continue a call across reconnects.
 */
export class ScriptCursor {
  readonly scenario: Scenario;
  #next = 0;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
  }

  nextUserTurn(): { transcript: string; reply: string; tool?: ScriptedTool } {
    const turn = this.scenario.turns[this.#next++];
    if (!turn) return { transcript: '', reply: this.scenario.fallbackReply };
    return { transcript: callerClip(turn.callerClip).transcript, reply: turn.reply, ...(turn.tool ? { tool: turn.tool } : {}) };
  }
}

/** A cursor factory for the simulator that every session shares: the script continues across reconnects. */
export function continuingAcrossSessions(scenario: Scenario): () => ScriptCursor {
  const cursor = new ScriptCursor(scenario);
  return () => cursor;
}
