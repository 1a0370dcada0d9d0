import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { CallStore } from '../store/call-store.js';
import type { CallScript } from '../store/types.js';
import type { TwilioRest } from '../telephony/twilio-rest.js';

export interface OutboundCallRequest extends CallScript {
  to: string;
  from: string;
}

export interface OutboundDialerOptions {
  rest: TwilioRest;
  store: CallStore;
  logger: Logger;
  /** A machine answering: hang up as soon as Twilio knows, or wait for the beep and leave the greeting. */
  onMachine: 'hang-up' | 'leave-message';
}

/** The voice webhook's query parameter naming an outbound call's stored script. */
export const OUTBOUND_PARAMETER = 'outbound';
export const OUTBOUND_ID = /^[0-9a-f]{32}$/;

/**
 * Places calls through Twilio. The call's script is stored first under a random id that the call's
 * webhook URL carries, because Twilio may ask any instance for the call's TwiML, possibly before
 * `calls.create` has even answered here.
 */
export class OutboundDialer {
  readonly #options: OutboundDialerOptions;

  constructor(options: OutboundDialerOptions) {
    this.#options = options;
  }

  /** `voiceWebhookUrl`: the public URL of our voice webhook, as Twilio must reach it. */
  async place(request: OutboundCallRequest, voiceWebhookUrl: string): Promise<{ callSid: string }> {
    const { rest, store, logger, onMachine } = this.#options;
    const id = randomBytes(16).toString('hex');
    await store.addOutboundRequest(id, { instructions: request.instructions, greeting: request.greeting });
    try {
      const { callSid } = await rest.createCall({
        to: request.to,
        from: request.from,
        url: `${voiceWebhookUrl}?${OUTBOUND_PARAMETER}=${id}`,
        // Waiting for the end of the greeting only pays when there is a message to leave after it.
        machineDetection: onMachine === 'leave-message' ? 'DetectMessageEnd' : 'Enable',
      });
      logger.info({ callSid }, 'outbound call placed');
      return { callSid };
    } catch (error) {
      await store.takeOutboundRequest(id);
      throw error;
    }
  }
}
