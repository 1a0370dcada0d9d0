import type { CallScript } from '../store/types.js';

/** What one call is to say: an outbound call's script, and whether a machine answered it. */
export interface CallPlan extends CallScript {
  /** Answering-machine detection heard a machine and ANSWERING_MACHINE is leave-message. */
  voicemail?: boolean;
}

const VOICEMAIL =
  'An answering machine took this call, not a person. Wait for the beep, then say your opening as one short ' +
  'voicemail message (who is calling and why), and end the call with end_call.';

/** The bot's instructions and opening move for a call: the plan's where it has them, the configured ones otherwise. */
export function scriptedOpening(plan: CallPlan | undefined, bot: { instructions: string; greeting: string }): { instructions: string; greeting: string } {
  const instructions = plan?.instructions ?? bot.instructions;
  const greeting = plan?.greeting ?? bot.greeting;
  return { instructions, greeting: plan?.voicemail ? `${VOICEMAIL}\n\n${greeting}` : greeting };
}
