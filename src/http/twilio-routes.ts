import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { CallRegistry } from '../call/call-registry.js';
import type { CallPlan } from '../call/call-script.js';
import { OUTBOUND_ID, OUTBOUND_PARAMETER } from '../call/outbound-dialer.js';
import type { CallScript } from '../store/types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import {
  connectStreamTwiml,
  dialTwiml,
  hangupTwiml,
  isValidWebhookSignature,
  mediaStreamUrl,
  publicBaseUrl,
  unavailableTwiml,
  whisperTwiml,
} from '../telephony/index.js';

export interface TwilioRoutesDeps {
  authToken: string;
  publicUrl: string | undefined;
  registry: CallRegistry;
  logger: Logger;
  metrics: Metrics;
  /** Where callers go when the bot hands them off; undefined: no hand-offs. */
  handoffNumber: string | undefined;
  /** Whether this call ended in a hand-off (asked when Twilio continues after the stream closes). */
  wasHandedOff: (callSid: string) => Promise<boolean>;
  /** What the person taking the call's transfer hears first; undefined when nothing was stored. */
  handoffWhisper: (callSid: string) => Promise<string | undefined>;
  /** What the outbound call with this id was asked to say (once); undefined when unknown. */
  takeOutboundScript: (id: string) => Promise<CallScript | undefined>;
  /** An outbound call that a machine answered: hang up, or leave the greeting as a message. */
  onMachine: 'hang-up' | 'leave-message';
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

/** The fields of Twilio's voice webhooks we use; Twilio sends more and may add fields at any time. */
const voiceWebhookSchema = z.looseObject({
  CallSid: z.string().regex(CALL_SID),
  From: z.string().optional(),
  To: z.string().optional(),
  Direction: z.string().optional(),
  /** Answering-machine detection's verdict on an outbound call (human, machine_start, fax, unknown, ...). */
  AnsweredBy: z.string().optional(),
});

/** AnsweredBy values that mean nobody is there to talk to. */
const MACHINE = /^(machine_|fax$)/;

type VoiceWebhook = z.infer<typeof voiceWebhookSchema>;

export const CONTINUE_PATH = '/twilio/voice/continue';
export const WHISPER_PATH = '/twilio/voice/whisper';

export function twilioRoutes(deps: TwilioRoutesDeps): Router {
  const router = express.Router();
  router.use('/twilio', express.urlencoded({ extended: false, limit: '64kb' }));
  const signed = signedWebhook(deps);

  router.post('/twilio/voice', signed, async (req: Request, res: Response) => {
    const { CallSid: callSid, From: from, To: to, Direction: twilioDirection, AnsweredBy: answeredBy } = res.locals['webhook'] as VoiceWebhook;
    res.type('text/xml');
    if (deps.registry.draining) {
      res.send(unavailableTwiml('Sorry, we cannot take your call right now. Please call again in a moment.'));
      return;
    }
    const direction = twilioDirection?.startsWith('outbound') ? 'outbound' : 'inbound';
    const outboundId = req.query[OUTBOUND_PARAMETER];
    const script = typeof outboundId === 'string' && OUTBOUND_ID.test(outboundId) ? await deps.takeOutboundScript(outboundId) : undefined;
    const machine = direction === 'outbound' && answeredBy !== undefined && MACHINE.test(answeredBy);
    if (machine && deps.onMachine === 'hang-up') {
      deps.logger.info({ callSid, answeredBy }, 'outbound call answered by a machine: hanging up');
      res.send(hangupTwiml());
      return;
    }
    const plan: CallPlan | undefined = machine ? { ...script, voicemail: true } : script;
    deps.registry.prepare(callSid, { from, to, direction }, plan);
    const baseUrl = publicBaseUrl(deps.publicUrl, req.headers, req.secure);
    const parameters: Record<string, string> = { callSid, direction };
    if (from) parameters['from'] = from;
    if (to) parameters['to'] = to;
    res.send(
      connectStreamTwiml({
        streamUrl: mediaStreamUrl(baseUrl),
        parameters,
        ...(deps.handoffNumber ? { continueUrl: `${baseUrl}${CONTINUE_PATH}` } : {}),
      }),
    );
  });

  // Twilio comes here when we close a call's media stream: on to a human, or goodbye.
  router.post(CONTINUE_PATH, signed, async (req: Request, res: Response) => {
    const { CallSid: callSid } = res.locals['webhook'] as VoiceWebhook;
    const transfer = deps.handoffNumber !== undefined && (await deps.wasHandedOff(callSid));
    if (!transfer) {
      res.type('text/xml').send(hangupTwiml());
      return;
    }
    const whisperUrl = `${publicBaseUrl(deps.publicUrl, req.headers, req.secure)}${WHISPER_PATH}?callSid=${callSid}`;
    res.type('text/xml').send(dialTwiml(deps.handoffNumber!, { whisperUrl }));
  });

  // Twilio comes here when the person taking a transfer answers (the <Number url>): their ears only.
  router.post(WHISPER_PATH, signed, async (req: Request, res: Response) => {
    const callSid = typeof req.query['callSid'] === 'string' && CALL_SID.test(req.query['callSid']) ? req.query['callSid'] : undefined;
    const whisper = callSid === undefined ? undefined : await deps.handoffWhisper(callSid);
    res.type('text/xml').send(whisperTwiml(whisper ?? 'Incoming transfer from the phone assistant.'));
  });

  return router;
}

/** Validates X-Twilio-Signature against the public URL and parses the webhook's fields into res.locals. */
function signedWebhook(deps: TwilioRoutesDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const url = `${publicBaseUrl(deps.publicUrl, req.headers, req.secure)}${req.originalUrl}`;
    const params = formParams(req.body);
    if (!isValidWebhookSignature(deps.authToken, req.header('x-twilio-signature'), url, params)) {
      deps.metrics.signatureFailures.inc({ surface: 'webhook' });
      deps.logger.warn({ url }, 'refused Twilio webhook: bad or missing signature');
      res.status(403).type('text/plain').send('invalid Twilio signature');
      return;
    }
    const webhook = voiceWebhookSchema.safeParse(params);
    if (!webhook.success) {
      deps.metrics.rejectedFrames.inc({ source: 'twilio', kind: 'malformed' });
      res.status(400).type('text/plain').send('missing or malformed CallSid');
      return;
    }
    res.locals['webhook'] = webhook.data;
    next();
  };
}

function formParams(body: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (!body || typeof body !== 'object') return params;
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') params[key] = value;
  }
  return params;
}
