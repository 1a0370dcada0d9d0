import { CallbridgeError, StoreError, UpstreamError, errorMessage } from '../errors.js';

/**
 * SQLSTATE classes that mean the server, not the statement, is the problem: connection
 * exception (08), insufficient resources (53), operator intervention such as a restart (57).
 */
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57']);
/** Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...). */
const SYSTEM_ERROR_CODE = /^E[A-Z]+$/;

/**
 * The store's error for a driver failure. Its message carries the driver's message but never the
 * statement's parameters (phone numbers, transcripts): messages end up in logs. PostgreSQL keeps
 * offending values in the error's `detail`, which stays on the cause.
 */
export function toStoreError(error: unknown, operation: string): CallbridgeError {
  if (error instanceof CallbridgeError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const serverDown = typeof code === 'string' && UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
  const networkDown = typeof code === 'string' && SYSTEM_ERROR_CODE.test(code);
  if (serverDown || networkDown) {
    return unavailable(error, operation);
  }
  return new StoreError('store_query_failed', `${operation} failed: ${errorMessage(error)}`, { cause: error });
}

export function unavailable(error: unknown, operation: string): UpstreamError {
  const message = `${operation} failed: database unavailable: ${errorMessage(error)}`;
  return new UpstreamError('store_unavailable', message, true, { cause: error });
}
