import express, { type Express } from 'express';
import type { CallStore } from '../store/call-store.js';
import type { LiveFeed } from '../store/live-feed.js';
import { dashboardRoutes } from './dashboard.js';
import { NotFoundError, errorHandler } from './errors.js';
import { operatorApi } from './operator-api.js';
import { outboundApi, type OutboundApiDeps } from './outbound-api.js';
import { OperatorAuth } from './operator-auth.js';
import { twilioRoutes, type TwilioRoutesDeps } from './twilio-routes.js';

export interface AppDeps extends TwilioRoutesDeps {
  /** The operator API and dashboard; undefined (no OPERATOR_TOKEN): both are off. */
  operator:
    | { token: string; store: CallStore; feed: LiveFeed; outbound: Pick<OutboundApiDeps, 'dialer' | 'defaultFrom'> }
    | undefined;
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
    app.use(outboundApi({ ...deps.operator.outbound, auth, publicUrl: deps.publicUrl }));
    app.use(operatorApi({ store: deps.operator.store, feed: deps.operator.feed, auth }));
    app.use(dashboardRoutes());
  } else {
    const off = 'the operator API and dashboard are off: set OPERATOR_TOKEN to turn them on';
    app.use('/api', () => {
      throw new NotFoundError('operator_api_off', off);
    });
    app.get('/', (_req, res) => {
      res.status(404).type('text/plain').send(off);
    });
  }

  // Last: every error a route throws or passes on becomes its status here.
  app.use(errorHandler(deps.logger));
  return app;
}
