import { describe, expect, it } from 'vitest';
import { TRANSFER_TOOL, ToolCalls } from '../../../src/call/tool-calls.js';

const transfer = { responseId: 'resp_1', callId: 'call_1', name: TRANSFER_TOOL, arguments: '{"reason":"refund request"}' };

describe('ToolCalls', () => {
  it('answers a tool call only once its response is done, then asks for a new response', () => {
    const tools = new ToolCalls({ handoffEnabled: true });
    expect(tools.onFunctionCall(transfer)).toBe(true);
    expect(tools.onResponseDone('resp_other')).toEqual([]);
    const events = tools.onResponseDone('resp_1');
    expect(events).toEqual([
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: expect.stringContaining('"status":"transferring"') },
      },
      { type: 'response.create' },
    ]);
    expect(tools.onResponseDone('resp_1')).toEqual([]);
  });

  it('counts the hand-off as announced only after the response that follows the tool output', () => {
    const tools = new ToolCalls({ handoffEnabled: true });
    tools.onFunctionCall(transfer);
    expect(tools.handoffReason).toBe('refund request');
    tools.onResponseDone('resp_1');
    expect(tools.handoffAnnounced).toBe(false);
    tools.onResponseDone('resp_2');
    expect(tools.handoffAnnounced).toBe(true);
  });

  it('refuses the transfer tool when hand-offs are off, and any tool it does not know', () => {
    const tools = new ToolCalls({ handoffEnabled: false });
    expect(tools.onFunctionCall(transfer)).toBe(false);
    expect(tools.onFunctionCall({ ...transfer, callId: 'call_2', name: 'delete_everything' })).toBe(false);
    const outputs = tools.onResponseDone('resp_1').slice(0, 2) as { item: { output: string } }[];
    expect(outputs.map((event) => JSON.parse(event.item.output))).toEqual([
      { error: `no tool named ${TRANSFER_TOOL}` },
      { error: 'no tool named delete_everything' },
    ]);
    expect(tools.handoffReason).toBeUndefined();
  });

  it('reads a missing or malformed reason as "not given" and accepts one hand-off only', () => {
    const tools = new ToolCalls({ handoffEnabled: true });
    expect(tools.onFunctionCall({ ...transfer, arguments: 'not json' })).toBe(true);
    expect(tools.handoffReason).toBe('not given');
    expect(tools.onFunctionCall({ ...transfer, callId: 'call_2' })).toBe(false);
  });
});
