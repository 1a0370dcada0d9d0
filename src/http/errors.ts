import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { CallbridgeError, UpstreamError } from '../errors.js';
import type { Logger } from '../log.js';

/** The client sent a request we cannot act on; answered 400 with `{ error: code, message }`. */
export class BadRequestError extends CallbridgeError {}

/**
 * What the request names does not exist; answered 404 with `{ error: message }`: the operator
 * API's 404 bodies have always carried their sentence in `error`, and the dashboard shows it.
 */
export class NotFoundError extends CallbridgeError {}

/** A 400 for query parameters that failed `schema.safeParse(request.query)`; the message names each parameter. */
export function invalidQuery(error: z.ZodError): BadRequestError {
  const problems = error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return new BadRequestError('invalid_query', problems.join('; '), { cause: error });
}

export interface ErrorResponse {
  status: number;
  body: { error: string; message?: string };
}

/** Unavailable: the dependency may come back, so the client may retry (503); otherwise it failed us (502). */
const UNAVAILABLE_CODE = /(^|_)unavailable$/;

/** The one place errors become HTTP statuses. Only 4xx bodies carry a message; 5xx bodies never say more than a code. */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof BadRequestError) return { status: 400, body: { error: error.code, message: error.message } };
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message } };
  if (error instanceof UpstreamError) {
    return { status: error.retryable && UNAVAILABLE_CODE.test(error.code) ? 503 : 502, body: { error: error.code } };
  }
  const clientError = exposedClientError(error);
  if (clientError) return clientError;
  // ConfigError, StoreError (a failed statement is our bug, not the client's) and anything else.
  return { status: 500, body: { error: 'internal' } };
}

/**
 * Express's own middleware (express.json, express.urlencoded) rejects bodies with http-errors:
 * a 4xx `status` and `expose: true` when the message is meant for the client.
 */
function exposedClientError(error: unknown): ErrorResponse | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499 || expose !== true) return undefined;
  return { status, body: { error: 'invalid_request', message: typeof message === 'string' ? message : 'invalid request' } };
}

/**
 * The app's last middleware. Client errors are answered without a log line; an upstream failure
 * gets a warning, anything else one error line with the stack (the stack never goes in the response).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    const { status, body } = errorResponse(error);
    // The path, not the URL: a query's `q` is words from calls' transcripts.
    const context = { err: error, method: request.method, path: request.path, status };
    if (status === 500) logger.error(context, 'request failed');
    else if (status >= 500) logger.warn({ ...context, code: body.error }, 'request failed upstream');
    if (response.headersSent) {
      // Too late for a status (an event stream, say): cut the response short so the client sees it fail.
      response.destroy();
      return;
    }
    response.status(status).json(body);
  };
}
