/** Identifiers and a `start` message as Twilio sends them (docs/protocols.md 1.2), shared by the telephony tests. */
export const STREAM_SID = 'MZ18ad3ab5a668481ce02b83e7395059f0';
export const CALL_SID = 'CA0123456789abcdef0123456789abcdef';
export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';

export function startMessage(customParameters?: Record<string, string>) {
  return {
    event: 'start',
    sequenceNumber: '1',
    streamSid: STREAM_SID,
    start: {
      accountSid: ACCOUNT_SID,
      streamSid: STREAM_SID,
      callSid: CALL_SID,
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      ...(customParameters ? { customParameters } : {}),
    },
  };
}
