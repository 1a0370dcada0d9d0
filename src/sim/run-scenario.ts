import { callerClip } from './assets.js';
import type { Scenario } from './scenarios.js';
import type { SimulatedCaller } from './twilio-caller.js';

/**
 * Plays the caller's side of a scenario like a polite person: listens to the greeting, then says each
 * line and waits for the bot to finish answering before the next. Hangs up at the end.
 */
export async function playScenario(
  caller: SimulatedCaller,
  scenario: Scenario,
  onLine?: (clipName: string) => void,
): Promise<void> {
  await caller.waitForBotReply(1);
  for (const turn of scenario.turns) {
    onLine?.(turn.callerClip);
    const turnsBefore = caller.botTurns.length;
    await caller.say(callerClip(turn.callerClip).mulaw);
    await caller.waitForBotReply(turnsBefore + 1);
  }
  await caller.hangUp();
}
