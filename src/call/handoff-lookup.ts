import type { CallStore } from '../store/call-store.js';
import { HANDOFF_END_REASON } from './bot-actions.js';
import type { CallRegistry } from './call-registry.js';

/** The owner stores a transfer as the stream closes; Twilio's continuation can be quicker than that write. */
const HANDOFF_RECORD_WAIT_MS = 3000;
const HANDOFF_RECORD_POLL_MS = 100;

export interface HandoffLookup {
  /** Whether this call ended in a hand-off (asked when Twilio continues after the stream closes). */
  wasHandedOff(callSid: string): Promise<boolean>;
  /** What the person taking the call's transfer hears first; undefined when nothing was stored. */
  handoffWhisper(callSid: string): Promise<string | undefined>;
}

/**
 * Answers Twilio's questions about a transfer to a person. Twilio may ask any instance, possibly
 * before the owner's record of the transfer has landed: this instance's own hand-offs answer from
 * memory, anyone else's from the store, waiting a moment for the record.
 */
export function handoffLookup(registry: CallRegistry, store: CallStore): HandoffLookup {
  return {
    wasHandedOff: async (callSid) => registry.takeHandoff(callSid) || (await handedOffInStore(store, callSid)),
    handoffWhisper: async (callSid) => (await store.getCall(callSid))?.handoff?.whisper,
  };
}

async function handedOffInStore(store: CallStore, callSid: string): Promise<boolean> {
  const deadline = performance.now() + HANDOFF_RECORD_WAIT_MS;
  for (;;) {
    const call = await store.getCall(callSid);
    if (call?.handoff || call?.endReason === HANDOFF_END_REASON) return true;
    // Once the call ended any other way, or nobody serves it any more, no transfer is coming.
    if (!call || call.status !== 'in-progress' || performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, HANDOFF_RECORD_POLL_MS));
  }
}
