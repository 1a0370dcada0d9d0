import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { CallRegistry } from '../call/call-registry.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import {
  connectStreamTwiml,
  isValidWebhookSignature,
  mediaStreamUrl,
  publicBaseUrl,
  unavailableTwiml,
} from '../telephony/index.js';

export interface TwilioRoutesDeps {
  authToken: string;
  publicUrl: string | undefined;
  registry: CallRegistry;
  logger: Logger;
  metrics: Metrics;
}

/** The fields of Twilio's voice webhook we use; Twilio sends more and may add fields at any time. */
const voiceWebhookSchema = z.looseObject({
  CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/),
  From: z.string().optional(),
  To: z.string().optional(),
});

export function twilioRoutes(deps: TwilioRoutesDeps): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  router.post('/twilio/voice', (req: Request, res: Response) => {
    const baseUrl = publicBaseUrl(deps.publicUrl, req.headers, req.secure);
    const params = formParams(req.body);
    if (!isValidWebhookSignature(deps.authToken, req.header('x-twilio-signature'), `${baseUrl}${req.originalUrl}`, params)) {
      deps.metrics.signatureFailures.inc({ surface: 'webhook' });
      deps.logger.warn({ url: `${baseUrl}${req.originalUrl}` }, 'refused voice webhook: bad or missing signature');
      res.status(403).type('text/plain').send('invalid Twilio signature');
      return;
    }
    const webhook = voiceWebhookSchema.safeParse(params);
    if (!webhook.success) {
      deps.metrics.rejectedFrames.inc({ source: 'twilio', kind: 'malformed' });
      res.status(400).type('text/plain').send('missing or malformed CallSid');
      return;
    }
    res.type('text/xml');
    if (deps.registry.draining) {
      res.send(unavailableTwiml('Sorry, we cannot take your call right now. Please call again in a moment.'));
      return;
    }
    const { CallSid: callSid, From: from, To: to } = webhook.data;
    deps.registry.prepare(callSid, { from, to });
    const parameters: Record<string, string> = { callSid };
    if (from) parameters['from'] = from;
    if (to) parameters['to'] = to;
    res.send(connectStreamTwiml({ streamUrl: mediaStreamUrl(baseUrl), parameters }));
  });

  return router;
}

function formParams(body: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (!body || typeof body !== 'object') return params;
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') params[key] = value;
  }
  return params;
}
