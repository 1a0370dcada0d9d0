import { errorMessage } from '../errors.js';
import type { ToolRegistry } from './registry.js';
import { DEFAULT_TOOL_TIMEOUT_MS, ToolError, type ToolContext } from './tool.js';

export type ToolOutcome = 'ok' | 'error' | 'timeout' | 'unknown_tool' | 'invalid_arguments';

export interface ToolRun {
  name: string;
  outcome: ToolOutcome;
  /** exactly what goes in function_call_output.output */
  output: string;
  /** parsed arguments when they parsed, else undefined */
  args: Record<string, unknown> | undefined;
  durationMs: number;
  /** for logs: the failure, when outcome != ok */
  error?: string;
}

export interface FunctionCallRequest {
  name: string;
  /** The model's `arguments`, a JSON string. */
  argumentsJson: string;
}

type Settled = { outcome: ToolOutcome; output: string; error?: string };

/**
 * Runs one function call to completion and never rejects: every failure becomes an output the model
 * can read and react to, so the conversation goes on. The run ends at the tool's timeout or when the
 * caller's signal aborts, whether or not the handler notices.
 */
export async function runTool(
  registry: ToolRegistry,
  call: FunctionCallRequest,
  context: Omit<ToolContext, 'signal'> & { signal?: AbortSignal },
  now: () => number = () => performance.now(),
): Promise<ToolRun> {
  const startedMs = now();
  const finish = (args: Record<string, unknown> | undefined, settled: Settled): ToolRun => ({
    name: call.name,
    args,
    durationMs: now() - startedMs,
    ...settled,
  });

  const tool = registry.get(call.name);
  if (!tool) return finish(undefined, failure('unknown_tool', `no tool named ${call.name}`));
  const parsed = registry.parseArguments(call.name, call.argumentsJson);
  if (!parsed.ok) return finish(undefined, failure('invalid_arguments', parsed.error));

  const timeoutMs = tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = context.signal ? AbortSignal.any([context.signal, deadline.signal]) : deadline.signal;
  const abort = abortOf(signal);
  try {
    const stopped = abort.promise.then(() =>
      deadline.signal.aborted
        ? failure('timeout', `timed out after ${timeoutMs} ms`)
        : { outcome: 'error' as const, output: errorOutput('tool cancelled'), error: 'cancelled: the call ended' },
    );
    // A call that has already ended has no one to answer: do not start the work.
    const handled = signal.aborted ? [] : [settle(() => tool.handler(parsed.args, { ...context, signal }))];
    return finish(parsed.args, await Promise.race([stopped, ...handled]));
  } finally {
    clearTimeout(timer);
    abort.dispose();
  }
}

async function settle(handle: () => Promise<unknown>): Promise<Settled> {
  try {
    const value = await handle();
    return { outcome: 'ok', output: typeof value === 'string' ? value : value === undefined ? '{"ok":true}' : JSON.stringify(value) };
  } catch (error) {
    // Only a ToolError's message was written for the model; anything else may carry internals.
    if (error instanceof ToolError) return { outcome: 'error', output: errorOutput(`tool failed: ${error.message}`), error: error.message };
    return { outcome: 'error', output: errorOutput('tool failed'), error: errorMessage(error) };
  }
}

/** Resolves when the signal aborts; dispose() drops the listener so a finished run holds nothing. */
function abortOf(signal: AbortSignal): { promise: Promise<void>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  return { promise, dispose: () => dispose() };
}

function failure(outcome: ToolOutcome, error: string): Settled {
  return { outcome, output: errorOutput(error), error };
}

function errorOutput(error: string): string {
  return JSON.stringify({ error });
}
