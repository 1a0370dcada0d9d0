import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { MAX_TOOL_TIMEOUT_MS, TOOL_NAME_PATTERN, type Tool, type ToolDefinition } from './tool.js';

export type ParsedArguments = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

/** More than this many schema issues would only make the model's next attempt longer, not better. */
const MAX_REPORTED_ISSUES = 3;

/** The tools one call may use, each with its argument schema compiled once at startup. */
export class ToolRegistry {
  readonly #tools = new Map<string, { tool: Tool; schema: z.ZodType }>();

  constructor(tools: readonly Tool[]) {
    for (const tool of tools) {
      if (!TOOL_NAME_PATTERN.test(tool.name)) throw new Error(`invalid tool name ${JSON.stringify(tool.name)}`);
      if (this.#tools.has(tool.name)) throw new Error(`two tools are named ${tool.name}`);
      const { timeoutMs } = tool;
      if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_TOOL_TIMEOUT_MS)) {
        throw new Error(`tool ${tool.name}: timeoutMs must be an integer from 1 to ${MAX_TOOL_TIMEOUT_MS}`);
      }
      this.#tools.set(tool.name, { tool, schema: compileParameters(tool) });
    }
  }

  get names(): string[] {
    return [...this.#tools.keys()];
  }

  /** What to offer the model, in registration order. */
  definitions(): ToolDefinition[] {
    return [...this.#tools.values()].map(({ tool }) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    }));
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name)?.tool;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** The model's `arguments` string, checked against the tool's schema; the error is worded for the model. */
  parseArguments(name: string, argumentsJson: string): ParsedArguments {
    const entry = this.#tools.get(name);
    if (!entry) return { ok: false, error: `no tool named ${name}` };
    let raw: unknown;
    try {
      raw = JSON.parse(argumentsJson);
    } catch {
      return { ok: false, error: 'invalid arguments: not JSON' };
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, error: 'invalid arguments: not a JSON object' };
    }
    const parsed = entry.schema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: `invalid arguments: ${describeIssues(parsed.error.issues)}` };
    return { ok: true, args: parsed.data as Record<string, unknown> };
  }
}

function compileParameters(tool: Tool): z.ZodType {
  try {
    return z.fromJSONSchema(tool.parameters);
  } catch (error) {
    throw new Error(`tool ${tool.name}: parameters are not a JSON Schema zod can compile: ${errorMessage(error)}`, { cause: error });
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((issue) => {
      // zod's "Invalid input: " prefix says nothing the path does not already say.
      const message = issue.message.replace(/^Invalid input: /, '');
      return issue.path.length > 0 ? `${issue.path.join('.')}: ${message}` : message;
    })
    .join('; ');
}
