import type { ScriptedTool } from '../scenarios.js';
import { wireItem, type SimItem } from './items.js';
import type { ResponseContext, ResponseRecord } from './responses.js';
import { newId } from './server-events.js';
import { modelLatencyMs } from './timing.js';
import { responseUsage } from './usage.js';

/** A response of function calls, one output item each: no audio; the scripted reply waits for their outputs. */
export function callTools(context: ResponseContext, records: ResponseRecord[], tools: ScriptedTool[]): void {
  const { emit } = context;
  const responseId = newId('resp');
  records.push({ id: responseId, createdAtMs: context.now(), reply: `tool:${tools.map((tool) => tool.name).join('+')}` });
  emit({ type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', output: [] } });
  context.timers.later(modelLatencyMs(context.timing), () => {
    const items = tools.map((tool, outputIndex) => emitFunctionCall(context, responseId, outputIndex, tool));
    const record = records.find((entry) => entry.id === responseId);
    if (record) Object.assign(record, { doneAtMs: context.now(), status: 'completed' });
    emit({
      type: 'response.done',
      response: {
        object: 'realtime.response',
        id: responseId,
        status: 'completed',
        status_details: null,
        output: items.map(wireItem),
        usage: responseUsage(context.items.items, items, context.config.instructions),
      },
    });
  });
}

/** One function call, streamed whole: its arguments arrive in a single delta. */
function emitFunctionCall(context: ResponseContext, responseId: string, outputIndex: number, tool: ScriptedTool): SimItem {
  const { emit } = context;
  const item: SimItem = {
    id: newId('item'),
    type: 'function_call',
    status: 'in_progress',
    content: [],
    call_id: newId('call'),
    name: tool.name,
    arguments: '',
    audioMs: 0,
  };
  const args = JSON.stringify(tool.arguments);
  const previous = context.items.append(item);
  const base = { response_id: responseId, item_id: item.id, output_index: outputIndex };
  emit({ type: 'response.output_item.added', response_id: responseId, output_index: outputIndex, item: wireItem(item) });
  emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
  emit({ type: 'response.function_call_arguments.delta', ...base, call_id: item.call_id, delta: args });
  item.arguments = args;
  item.status = 'completed';
  emit({ type: 'response.function_call_arguments.done', ...base, call_id: item.call_id, name: tool.name, arguments: args });
  emit({ type: 'response.output_item.done', response_id: responseId, output_index: outputIndex, item: wireItem(item) });
  emit({ type: 'conversation.item.done', item: wireItem(item) });
  return item;
}
