import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { CALL_STATUSES } from '../call-status.js';
import { StoreError } from '../errors.js';
import type { CallStore } from '../store/call-store.js';
import type { LiveFeed, LiveFeedEvents } from '../store/live-feed.js';
import { detailJson, listItemJson } from './call-json.js';
import type { LiveEventName, LiveEvents } from './api-types.js';
import { BadRequestError, NotFoundError, invalidQuery } from './errors.js';
import type { OperatorAuth } from './operator-auth.js';

export interface OperatorApiDeps {
  store: CallStore;
  feed: LiveFeed;
  auth: OperatorAuth;
}

const LIMIT_MESSAGE = 'must be a whole number from 1 to 200';
const INSTANT_MESSAGE = 'must be an ISO 8601 date (2024-05-01) or date-time with a zone (2024-05-01T09:00:00Z)';
const CURSOR_MESSAGE = 'not a cursor from a previous page';

/**
 * An ISO 8601 instant; a bare date is midnight UTC. Loose forms (`yesterday`, `1`) are refused, not
 * guessed at, and so are instants outside years 1-9999 (PostgreSQL has no year 0).
 */
const instantParam = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: INSTANT_MESSAGE })
  .transform((text) => new Date(text))
  .refine((instant) => instant.getUTCFullYear() >= 1 && instant.getUTCFullYear() <= 9999, 'must be within the years 1 to 9999');

/**
 * `GET /api/calls`'s query, the only way its parameters get in. A repeated parameter arrives as an
 * array and fails like any other malformed one; unknown parameters are ignored. NUL is refused
 * here because PostgreSQL's text cannot hold it.
 */
const listQuerySchema = z.object({
  limit: z
    .string({ error: LIMIT_MESSAGE })
    .regex(/^[0-9]{1,4}$/, LIMIT_MESSAGE)
    .transform(Number)
    .pipe(z.number().int().min(1, LIMIT_MESSAGE).max(200, LIMIT_MESSAGE))
    .optional(),
  // Opaque here: the store decodes it, and the route below turns its "malformed" into a 400.
  cursor: z.string({ error: CURSOR_MESSAGE }).min(1, CURSOR_MESSAGE).max(200, CURSOR_MESSAGE).optional(),
  status: z.enum(CALL_STATUSES, { error: `must be one of ${CALL_STATUSES.join(', ')}` }).optional(),
  since: instantParam.optional(),
  until: instantParam.optional(),
  q: z
    .string({ error: 'must be given once, as text' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((text) => !text.includes('\0'), 'must not contain NUL characters')
    .optional(),
});

const HEARTBEAT_MS = 15_000;

/** The operator API: call list and detail from the store, and a live feed as Server-Sent Events. */
export function operatorApi(deps: OperatorApiDeps): Router {
  const router = express.Router();

  router.post('/api/session', express.json({ limit: '4kb' }), (request: Request, response: Response) => {
    const token = (request.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !deps.auth.checkToken(token)) {
      response.status(401).json({ error: 'unauthorized' });
      return;
    }
    response.set('Set-Cookie', deps.auth.sessionCookie(request.secure)).status(204).end();
  });
  router.delete('/api/session', (_request, response) => {
    response.set('Set-Cookie', deps.auth.clearedCookie()).status(204).end();
  });

  router.use('/api', deps.auth.required(), (_request, response, next) => {
    // Transcripts and phone numbers: never kept by a browser or a proxy.
    response.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/api/calls', async (request, response) => {
    const query = listQuerySchema.safeParse(request.query);
    if (!query.success) throw invalidQuery(query.error);
    const page = await deps.store.listCalls(query.data).catch((error: unknown) => {
      if (error instanceof StoreError && error.code === 'store_invalid_cursor') {
        throw new BadRequestError('invalid_query', `cursor: ${CURSOR_MESSAGE}`, { cause: error });
      }
      throw error;
    });
    response.json({ calls: page.calls.map(listItemJson), nextCursor: page.nextCursor });
  });

  router.get('/api/calls/:callSid', async (request, response) => {
    const call = await deps.store.getCall(request.params['callSid'] ?? '');
    if (!call) throw new NotFoundError('call_not_found', 'no such call');
    response.json(detailJson(call));
  });

  router.get('/api/events', (request, response) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 3000\n\n');
    const send = <K extends LiveEventName>(event: K, data: LiveEvents[K]) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const listeners: { [K in keyof LiveFeedEvents]: (...args: LiveFeedEvents[K]) => void } = {
      callStarted: (call) => send('call', { ...call, status: 'in-progress' }),
      turn: (turn) => send('turn', turn),
      turnUpdated: (turn) => send('turn-updated', turn),
      callEnded: (ended) => send('call-ended', ended),
      summary: (summary) => send('summary', summary),
    };
    for (const [event, listener] of Object.entries(listeners)) deps.feed.on(event as keyof LiveFeedEvents, listener as never);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.on('close', () => {
      clearInterval(heartbeat);
      for (const [event, listener] of Object.entries(listeners)) deps.feed.off(event as keyof LiveFeedEvents, listener as never);
    });
  });

  return router;
}
