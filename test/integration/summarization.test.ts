import { beforeAll, describe, expect, it } from 'vitest';
import { playScenario } from '../../src/sim/run-scenario.js';
import { englishSupportCall, frenchCall, type Scenario } from '../../src/sim/scenarios.js';
import { startHarness, useHarness, waitFor, type ApiCall } from '../support/harness.js';
import { withoutTools } from '../support/scenarios.js';

/** Greeting and two exchanges without tools: the usage passes 300 tokens once, after the second answer. */
const twoExchanges: Scenario = withoutTools({ ...englishSupportCall, turns: englishSupportCall.turns.slice(0, 2) });
const SUMMARIZER_DELAY_MS = 2000;

describe('in-call summarization', () => {
  const fixture = useHarness({
    simulator: { scenario: twoExchanges },
    openai: { delayMs: SUMMARIZER_DELAY_MS },
    env: { SUMMARY_TRIGGER_TOKENS: '300', SUMMARY_KEEP_TURNS: '2' },
  });
  let callSid: string;
  let stored: ApiCall;

  beforeAll(async () => {
    const caller = await fixture.harness.caller().dial();
    callSid = caller.callSid;
    await playScenario(caller, twoExchanges);
    stored = await fixture.api.waitForCall(callSid, (call) => call.inCallSummaries.length === 1, 'the summary to be applied');
  });

  it('asks once for a summary of exactly the turns older than the last K', () => {
    const { harness } = fixture;
    const requests = harness.openai.requestsFor('in_call_summary');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.user).toBe(
      [
        'New turns:',
        'Assistant: Hello, thanks for calling Acme support. How can I help you today?',
        'Caller: Hi, I would like to check the status of my order. The order number is four five seven two.',
        'Assistant: Sure. Order four five seven two shipped yesterday and should arrive on Thursday.',
      ].join('\n'),
    );
  });

  it('inserts the summary at the root as a system message, then deletes exactly the summarized items', () => {
    const { harness } = fixture;
    const sim = harness.simulator.sessions[0]!;
    const creates = sim.receivedOf('conversation.item.create');
    expect(creates).toHaveLength(1);
    const create = creates[0]!.event;
    expect(create.previous_item_id).toBe('root');
    expect(create.item.role).toBe('system');
    expect(create.item.content).toEqual([{ type: 'input_text', text: expect.stringContaining('four five seven two') }]);

    const deletes = sim.receivedOf('conversation.item.delete').map((entry) => entry.event['item_id']);
    const responses = sim.responses;
    expect(deletes).toHaveLength(3);
    // What is left: the summary, then the last two turns (second question and answer), nothing else.
    expect(sim.items.map((item) => item.role)).toEqual(['system', 'user', 'assistant']);
    expect(sim.items[0]!.id).toBe(create.item.id);
    expect(sim.items[2]!.content[0]!.transcript).toContain('twelve Baker Street');
    expect(deletes).not.toContain(sim.items[1]!.id);
    expect(responses).toHaveLength(3);
    // The local mirror agrees with the model's context (neither the API nor the wire shows the mirror).
    expect(fixture.session(callSid).conversation.items.map((item) => item.id)).toEqual(sim.items.map((item) => item.id));
  });

  it('keeps caller audio flowing at normal latency while the summarizer takes 2 s', () => {
    const { harness } = fixture;
    const request = harness.openai.requestsFor('in_call_summary')[0]!;
    const sim = harness.simulator.sessions[0]!;
    const appends = sim.receivedOf('input_audio_buffer.append');
    const during = appends.filter(
      (append) => append.atMs >= request.receivedAtMs && append.atMs <= request.receivedAtMs + SUMMARIZER_DELAY_MS,
    );
    // 20 ms frames for 2 s: about 100 of them, none held back by the summary.
    expect(during.length).toBeGreaterThanOrEqual(90);
    const gapsMs = during.slice(1).map((append, index) => append.atMs - during[index]!.atMs);
    expect(Math.max(...gapsMs)).toBeLessThan(200);
  });

  it('reports the tokens before the summary and its latency', () => {
    const [summary] = stored.inCallSummaries;
    expect(summary!.tokensBefore).toBeGreaterThanOrEqual(300);
    expect(summary!.latencyMs).toBeGreaterThanOrEqual(SUMMARIZER_DELAY_MS);
  });
});

describe('summary language', () => {
  it('asks for French in a French call, and never mentions French in an English one', async () => {
    const run = async (scenario: Scenario) => {
      const oneExchange = { ...scenario, turns: scenario.turns.slice(0, 1) };
      const harness = await startHarness({
        simulator: { scenario: oneExchange },
        env: { SUMMARY_TRIGGER_TOKENS: '150', SUMMARY_KEEP_TURNS: '2' },
      });
      try {
        await playScenario(await harness.caller().dial(), oneExchange);
        await waitFor(() => harness.openai.requestsFor('in_call_summary').length > 0, 'a summary request');
        return harness.openai.requestsFor('in_call_summary')[0]!.system;
      } finally {
        await harness.close();
      }
    };
    const [french, english] = await Promise.all([run(frenchCall), run(englishSupportCall)]);
    expect(french).toContain('Write it in French.');
    expect(english).not.toMatch(/French|français/i);
  });
});
