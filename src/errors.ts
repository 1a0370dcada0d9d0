/**
 * The project's error taxonomy. Every error we throw on purpose carries a stable `code`
 * so logs, metrics and HTTP responses can branch on it without parsing messages.
 */
export class CallbridgeError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The environment does not describe a runnable configuration. */
export class ConfigError extends CallbridgeError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config_invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** A remote dependency failed; `retryable` says whether trying again can help. */
export class UpstreamError extends CallbridgeError {
  readonly retryable: boolean;

  constructor(code: string, message: string, retryable: boolean, options?: ErrorOptions) {
    super(code, message, options);
    this.retryable = retryable;
  }
}

/** The call store could not complete an operation. */
export class StoreError extends CallbridgeError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
