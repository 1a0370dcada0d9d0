import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { LiveFeed, LiveFeedEvents } from '../call/call-recorder.js';
import type { CallStore } from '../store/call-store.js';
import { detailJson, listItemJson } from '../store/call-json.js';
import type { OperatorAuth } from './operator-auth.js';

export interface OperatorApiDeps {
  store: CallStore;
  feed: LiveFeed;
  auth: OperatorAuth;
}

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
  status: z.enum(['in-progress', 'completed', 'failed', 'interrupted']).optional(),
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
  q: z.string().trim().min(1).max(200).optional(),
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
    if (!query.success) {
      response.status(400).json({ error: 'invalid query', issues: query.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
      return;
    }
    const page = await deps.store.listCalls(query.data);
    response.json({ calls: page.calls.map(listItemJson), nextCursor: page.nextCursor });
  });

  router.get('/api/calls/:callSid', async (request, response) => {
    const call = await deps.store.getCall(request.params['callSid'] ?? '');
    if (!call) {
      response.status(404).json({ error: 'no such call' });
      return;
    }
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
    const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
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
