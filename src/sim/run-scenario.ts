import { callerClip } from './assets.js';
import type { Scenario } from './scenarios.js';
import type { SimulatedCaller } from './twilio-caller.js';

/**
 * Plays the caller's side of a scenario: listens to the greeting, then says each line (or presses its
 * keys) and waits for the bot to finish answering before the next (or talks over the answer where the
 * script says so). Ends the call the way the scenario says: the caller hangs up, or the server closes
 * the stream and Twilio fetches the TwiML after it. `onLine` hears each caller turn as its clip name,
 * or `keys 4572#` for key presses.
 */
export async function playScenario(
  caller: SimulatedCaller,
  scenario: Scenario,
  onLine?: (line: string) => void,
): Promise<void> {
  await caller.waitForBotReply(1);
  for (const turn of scenario.turns) {
    // The bot may end the call before the script does; there is nobody left to talk to.
    if (!caller.isOpen) break;
    const turnsBefore = caller.botTurns.length;
    if (turn.keys !== undefined) {
      onLine?.(`keys ${turn.keys}`);
      await caller.pressKeys(turn.keys);
    } else {
      onLine?.(turn.callerClip);
      await caller.say(callerClip(turn.callerClip).mulaw);
    }
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
