import { englishSupportCall, type Scenario } from '../../src/sim/scenarios.js';

/** Greeting and two exchanges: enough to show turns in order without a minute-long test. */
export const shortCall = { ...englishSupportCall, name: 'short', turns: englishSupportCall.turns.slice(1) } satisfies Scenario;

/** The scenario with its function calls taken out, for tests about something other than tools. */
export function withoutTools<T extends Scenario>(scenario: T): T {
  return { ...scenario, turns: scenario.turns.map(({ tools: _tools, ...turn }) => turn) };
}
