import { callerClip } from './assets.js';
import type { Scenario } from './scenarios.js';
import type { SimulatedCaller } from './twilio-caller.js';

/**
 * Plays the caller's side of a scenario: listens to the greeting, then says each line and waits for the
 * bot to finish answering before the next (or talks over the answer where the script says so). Ends the
 * call the way the scenario says: the caller hangs up, or the server closes the stream and Twilio
 * fetches the TwiML after it.
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
    if (turn.talkOverAfterMs !== undefined) await caller.waitForBotPlayed(turnsBefore, turn.talkOverAfterMs);
    else await caller.waitForBotReply(turnsBefore + 1);
  }
  if (scenario.end === 'caller-hangs-up') {
    await caller.hangUp();
    return;
  }
  await caller.waitForClose();
  await caller.waitForContinuation();
}
