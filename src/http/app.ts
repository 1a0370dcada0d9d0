import express, { type ErrorRequestHandler, type Express } from 'express';
import type { LiveFeed } from '../call/call-recorder.js';
import type { CallStore } from '../store/call-store.js';
import { dashboardRoutes } from './dashboard.js';
import { operatorApi } from './operator-api.js';
import { OperatorAuth } from './operator-auth.js';
import { twilioRoutes, type TwilioRoutesDeps } from './twilio-routes.js';

export interface AppDeps extends TwilioRoutesDeps {
  /** The operator API and dashboard; undefined (no OPERATOR_TOKEN): both are off. */
  operator: { token: string; store: CallStore; feed: LiveFeed } | undefined;
}

/** The HTTP routes. Never listens and never reads the environment: the composition root does both. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (deps.registry.draining) res.status(503).json({ status: 'draining' });
    else res.json({ status: 'ready', calls: deps.registry.size });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use(twilioRoutes(deps));
  if (deps.operator) {
    const auth = new OperatorAuth(deps.operator.token);
    app.use(operatorApi({ store: deps.operator.store, feed: deps.operator.feed, auth }));
    app.use(dashboardRoutes());
  } else {
    const off = 'the operator API and dashboard are off: set OPERATOR_TOKEN to turn them on';
    app.use('/api', (_req, res) => {
      res.status(404).json({ error: off });
    });
    app.get('/', (_req, res) => {
      res.status(404).type('text/plain').send(off);
    });
  }

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500) deps.logger.error({ err: error }, 'request failed');
    res.status(status).json({ error: status >= 500 ? 'internal error' : String(error?.message ?? 'bad request') });
  };
  app.use(onError);
  return app;
}
