import { englishSupportCall, type Scenario } from '../../src/sim/scenarios.js';

/** Greeting and two exchanges: enough to show turns in order without a minute-long test. */
export const shortCall: Scenario = { ...englishSupportCall, name: 'short', turns: englishSupportCall.turns.slice(1) };
