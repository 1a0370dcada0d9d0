import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { OutboundDialer } from '../call/outbound-dialer.js';
import { E164, E164_MESSAGE } from '../config.js';
import { UpstreamError } from '../errors.js';
import { publicBaseUrl } from '../telephony/index.js';
import { BadRequestError } from './errors.js';
import type { OperatorAuth } from './operator-auth.js';

export interface OutboundApiDeps {
  auth: OperatorAuth;
  dialer: Pick<OutboundDialer, 'place'>;
  /** TWILIO_PHONE_NUMBER: the caller ID when a request names none. */
  defaultFrom: string | undefined;
  publicUrl: string | undefined;
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** `POST /api/calls`'s body; unknown fields are refused, so a misspelt `greting` is not silently dropped. */
const placeCallSchema = z.strictObject({
  to: z.string({ error: 'is required: the E.164 number to call' }).regex(E164, E164_MESSAGE),
  from: z.string().regex(E164, E164_MESSAGE).optional(),
  instructions: text(20_000).optional(),
  greeting: text(4000).optional(),
});

/** Places an outbound call whose TwiML connects the same media stream as an inbound one. */
export function outboundApi(deps: OutboundApiDeps): Router {
  const router = express.Router();
  router.post('/api/calls', deps.auth.required(), express.json({ limit: '64kb' }), async (request: Request, response: Response) => {
    const body = placeCallSchema.safeParse(request.body ?? {});
    if (!body.success) {
      const problems = body.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
      throw new BadRequestError('invalid_body', problems.join('; '), { cause: body.error });
    }
    const from = body.data.from ?? deps.defaultFrom;
    if (!from) throw new BadRequestError('invalid_body', 'from: is required when TWILIO_PHONE_NUMBER is not set');
    const voiceWebhookUrl = `${publicBaseUrl(deps.publicUrl, request.headers, request.secure)}/twilio/voice`;
    const { callSid } = await deps.dialer.place({ ...body.data, from }, voiceWebhookUrl).catch((error: unknown) => {
      // Twilio refusing the numbers is the request's fault (an unreachable To, a From not on the account).
      if (error instanceof UpstreamError && error.code === 'twilio_rejected') throw new BadRequestError('call_rejected', error.message, { cause: error });
      throw error;
    });
    response.status(201).json({ callSid });
  });
  return router;
}
