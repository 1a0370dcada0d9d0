import { CallbridgeError } from '../errors.js';

/** What the model is told about a tool (session.update `tools`). */
export interface ToolDefinition {
  /** Matches TOOL_NAME_PATTERN, as the Realtime API requires. */
  name: string;
  description: string;
  /** JSON Schema object, passed to the model unchanged */
  parameters: Record<string, unknown>;
}

export interface ToolContext {
  callSid: string;
  from: string | undefined;
  to: string | undefined;
  /** ISO 639-3-ish name the call detected, e.g. 'English', or undefined */
  language: string | undefined;
  /** aborted when the tool's time is up or the call ends */
  signal: AbortSignal;
}

export interface Tool extends ToolDefinition {
  /** How long the handler may take; default DEFAULT_TOOL_TIMEOUT_MS (5000), at most MAX_TOOL_TIMEOUT_MS (30000). */
  timeoutMs?: number;
  /**
   * Gets the parsed, schema-validated arguments. Returns the output for the model: a string is used as is,
   * anything else is JSON.stringify'd. Throw ToolError (message goes to the model) or anything else.
   */
  handler(args: Record<string, unknown>, context: ToolContext): Promise<unknown>;
}

/** A tool failed in a way the model may hear about: the message must be safe to show it. */
export class ToolError extends CallbridgeError {
  constructor(message: string, options?: ErrorOptions) {
    super('tool_failed', message, options);
  }
}

export const DEFAULT_TOOL_TIMEOUT_MS = 5000;
/** The caller waits in silence while a tool runs; longer than this is a broken tool, not a slow one. */
export const MAX_TOOL_TIMEOUT_MS = 30_000;
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
