import { afterEach, describe, expect, it, vi } from 'vitest';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { ToolError, type Tool, type ToolContext } from '../../../src/tools/tool.js';
import { runTool } from '../../../src/tools/tool-runner.js';

const context = { callSid: 'CA1', from: '+15550001111', to: '+15550002222', language: 'English' };
const parameters = { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] };

function registryWith(handler: Tool['handler'], timeoutMs?: number): ToolRegistry {
  return new ToolRegistry([{ name: 'lookup_order', description: 'Look up an order', parameters, timeoutMs, handler }]);
}

const lookup = { name: 'lookup_order', argumentsJson: '{"orderId":"4572"}' };

/** A clock that moves only when told to, so durations are exact. */
function steppingClock(stepMs: number) {
  let nowMs = 1000;
  return () => (nowMs += stepMs);
}

describe('runTool', () => {
  afterEach(() => void vi.useRealTimers());

  it('hands the handler the parsed arguments and the call, and uses a string result as is', async () => {
    const handler = vi.fn(async () => 'shipped');
    const run = await runTool(registryWith(handler), lookup, context, steppingClock(7));
    expect(run).toEqual({ name: 'lookup_order', outcome: 'ok', output: 'shipped', args: { orderId: '4572' }, durationMs: 7 });
    expect(handler).toHaveBeenCalledWith({ orderId: '4572' }, { ...context, signal: expect.any(AbortSignal) });
  });

  it('serializes any other result, and answers {"ok":true} for none', async () => {
    const object = await runTool(registryWith(async () => ({ status: 'shipped', days: 2 })), lookup, context);
    expect(object.output).toBe('{"status":"shipped","days":2}');
    const nothing = await runTool(registryWith(async () => undefined), lookup, context);
    expect(nothing).toMatchObject({ outcome: 'ok', output: '{"ok":true}' });
  });

  it('tells the model about a tool it does not have, without calling anything', async () => {
    const handler = vi.fn(async () => 'never');
    const run = await runTool(registryWith(handler), { name: 'delete_everything', argumentsJson: '{}' }, context);
    expect(run).toMatchObject({
      outcome: 'unknown_tool',
      output: '{"error":"no tool named delete_everything"}',
      args: undefined,
      error: 'no tool named delete_everything',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('tells the model what was wrong with its arguments', async () => {
    const handler = vi.fn(async () => 'never');
    const run = await runTool(registryWith(handler), { name: 'lookup_order', argumentsJson: '{"orderId":4572}' }, context);
    expect(run).toMatchObject({ outcome: 'invalid_arguments', args: undefined });
    expect(JSON.parse(run.output)).toEqual({ error: 'invalid arguments: orderId: expected string, received number' });
    expect(handler).not.toHaveBeenCalled();
  });

  it("passes a ToolError's message to the model", async () => {
    const run = await runTool(registryWith(async () => Promise.reject(new ToolError('order system is down'))), lookup, context);
    expect(run).toMatchObject({
      outcome: 'error',
      output: '{"error":"tool failed: order system is down"}',
      args: { orderId: '4572' },
      error: 'order system is down',
    });
  });

  it('keeps any other failure to the logs, thrown or rejected', async () => {
    const rejected = await runTool(registryWith(async () => Promise.reject(new Error('password=hunter2'))), lookup, context);
    expect(rejected).toMatchObject({ outcome: 'error', output: '{"error":"tool failed"}', error: 'password=hunter2' });
    const thrown = await runTool(
      registryWith(() => {
        throw new TypeError('x is undefined');
      }),
      lookup,
      context,
    );
    expect(thrown).toMatchObject({ outcome: 'error', output: '{"error":"tool failed"}', error: 'x is undefined' });
  });

  it('ends at the timeout, aborting the signal, without waiting for a handler that ignores it', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const registry = registryWith((_args, toolContext: ToolContext) => {
      signal = toolContext.signal;
      return new Promise(() => {});
    }, 3000);
    const running = runTool(registry, lookup, context);
    await vi.advanceTimersByTimeAsync(2999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await running).toMatchObject({
      outcome: 'timeout',
      output: '{"error":"timed out after 3000 ms"}',
      args: { orderId: '4572' },
      error: 'timed out after 3000 ms',
    });
    expect(signal?.aborted).toBe(true);
  });

  it('uses the default timeout of 5000 ms and clears its timer when the tool answers', async () => {
    vi.useFakeTimers();
    const hung = runTool(registryWith(() => new Promise(() => {})), lookup, context);
    await vi.advanceTimersByTimeAsync(5000);
    expect((await hung).output).toBe('{"error":"timed out after 5000 ms"}');
    await runTool(registryWith(async () => 'quick'), lookup, context);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends when the caller's signal aborts (the call hung up), and starts nothing for a call already over", async () => {
    const hangUp = new AbortController();
    let signal: AbortSignal | undefined;
    const registry = registryWith((_args, toolContext) => {
      signal = toolContext.signal;
      return new Promise(() => {});
    });
    const running = runTool(registry, lookup, { ...context, signal: hangUp.signal });
    hangUp.abort();
    expect(await running).toMatchObject({ outcome: 'error', output: '{"error":"tool cancelled"}' });
    expect(signal?.aborted).toBe(true);

    const handler = vi.fn(async () => 'never');
    const late = await runTool(registryWith(handler), lookup, { ...context, signal: hangUp.signal });
    expect(late.outcome).toBe('error');
    expect(handler).not.toHaveBeenCalled();
  });
});
