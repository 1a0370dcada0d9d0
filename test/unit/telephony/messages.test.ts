import { describe, expect, it } from 'vitest';
import {
  inboundSchema,
  markFastPath,
  mediaFastPath,
  outboundClear,
  outboundMark,
  outboundMedia,
  parseTwilioFrame,
  serializeOutbound,
} from '../../../src/telephony/messages.js';
import { ACCOUNT_SID, CALL_SID, STREAM_SID, startMessage } from '../../support/twilio-messages.js';
import { BAD_BASE64, GOOD_BASE64, itAgreesWithTheSchema } from '../../support/fast-path-contract.js';

/** 160 bytes of mu-law silence, base64: one 20 ms frame. */
const SILENCE_FRAME_BASE64 = Buffer.alloc(160, 0xff).toString('base64');

/* The inbound examples of docs/protocols.md 1.2, with realistic values in place of the ellipses. */
const CONNECTED = { event: 'connected', protocol: 'Call', version: '1.0.0' };
const START = startMessage({ k: 'v' });
const MEDIA = {
  event: 'media',
  sequenceNumber: '4',
  streamSid: STREAM_SID,
  media: { track: 'inbound', chunk: '2', timestamp: '40', payload: SILENCE_FRAME_BASE64 },
};
const DTMF = { event: 'dtmf', sequenceNumber: '5', streamSid: STREAM_SID, dtmf: { track: 'inbound_track', digit: '1' } };
const MARK = { event: 'mark', sequenceNumber: '6', streamSid: STREAM_SID, mark: { name: 'item_1:0:0' } };
const STOP = {
  event: 'stop',
  sequenceNumber: '7',
  streamSid: STREAM_SID,
  stop: { accountSid: ACCOUNT_SID, callSid: CALL_SID },
};

const parse = (value: unknown) => parseTwilioFrame(JSON.stringify(value));

/** A copy of `value` with `patch` deep-merged over it; a key set to `undefined` is removed. */
function withChanges(value: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(value);
  for (const [key, change] of Object.entries(patch)) {
    const current = copy[key];
    if (change === undefined) delete copy[key];
    else if (isPlainObject(change) && isPlainObject(current)) copy[key] = withChanges(current, change);
    else copy[key] = change;
  }
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('parseTwilioFrame: the inbound examples of docs/protocols.md 1.2', () => {
  it('parses connected', () => {
    expect(parse(CONNECTED)).toEqual({ kind: 'message', message: CONNECTED });
  });

  it('parses start, turning the sequence number into a number and keeping customParameters', () => {
    expect(parse(START)).toEqual({ kind: 'message', message: { ...START, sequenceNumber: 1 } });
  });

  it('defaults customParameters to {} when start has none', () => {
    const parsed = parse(withChanges(START, { start: { customParameters: undefined } }));
    expect(parsed.kind).toBe('message');
    if (parsed.kind !== 'message' || parsed.message.event !== 'start') throw new Error('expected a start message');
    expect(parsed.message.start.customParameters).toEqual({});
  });

  it('parses media, turning sequenceNumber, chunk and timestamp into numbers and keeping the payload', () => {
    expect(parse(MEDIA)).toEqual({
      kind: 'message',
      message: {
        event: 'media',
        sequenceNumber: 4,
        streamSid: STREAM_SID,
        media: { track: 'inbound', chunk: 2, timestamp: 40, payload: SILENCE_FRAME_BASE64 },
      },
    });
  });

  it('parses media with an empty payload and with a payload of any size', () => {
    const odd = Buffer.from([1, 2, 3, 4, 5]).toString('base64');
    expect(parse(withChanges(MEDIA, { media: { payload: '' } })).kind).toBe('message');
    expect(parse(withChanges(MEDIA, { media: { payload: odd } })).kind).toBe('message');
  });

  it('parses dtmf', () => {
    expect(parse(DTMF)).toEqual({ kind: 'message', message: { ...DTMF, sequenceNumber: 5 } });
  });

  it('parses mark', () => {
    expect(parse(MARK)).toEqual({ kind: 'message', message: { ...MARK, sequenceNumber: 6 } });
  });

  it('parses stop', () => {
    expect(parse(STOP)).toEqual({ kind: 'message', message: { ...STOP, sequenceNumber: 7 } });
  });

  it('tolerates unknown extra fields at the top level and inside nested objects', () => {
    const parsed = parse(
      withChanges(MEDIA, { newTopLevelField: 'x', media: { newNestedField: 42 }, extra: { deep: [1, 2] } }),
    );
    expect(parsed.kind).toBe('message');
    if (parsed.kind !== 'message' || parsed.message.event !== 'media') throw new Error('expected a media message');
    expect(parsed.message.media.timestamp).toBe(40);
    expect(parse(withChanges(START, { start: { newField: true } })).kind).toBe('message');
  });
});

describe('parseTwilioFrame: unknown events', () => {
  it.each(['clear', 'keepalive', 'transcription', 'Media'])('reports event %j as unknown', (event) => {
    expect(parse({ event, streamSid: STREAM_SID, anything: { goes: true } })).toEqual({ kind: 'unknown', type: event });
  });
});

describe('parseTwilioFrame: malformed frames', () => {
  const cases: Array<[string, string]> = [
    ['not JSON', '{"event":"media",'],
    ['an empty frame', ''],
    ['a JSON array', JSON.stringify([MEDIA])],
    ['JSON null', 'null'],
    ['a JSON string', '"media"'],
    ['a JSON number', '42'],
    ['a missing event', JSON.stringify(withChanges(MEDIA, { event: undefined }))],
    ['a numeric event', JSON.stringify(withChanges(MEDIA, { event: 7 }))],
    ['a numeric sequenceNumber', JSON.stringify(withChanges(MEDIA, { sequenceNumber: 4 }))],
    ['a non-decimal sequenceNumber', JSON.stringify(withChanges(MEDIA, { sequenceNumber: '-4' }))],
    ['a numeric media timestamp', JSON.stringify(withChanges(MEDIA, { media: { timestamp: 40 } }))],
    ['a numeric media chunk', JSON.stringify(withChanges(MEDIA, { media: { chunk: 2 } }))],
    ['media without payload', JSON.stringify(withChanges(MEDIA, { media: { payload: undefined } }))],
    ['media without a media object', JSON.stringify(withChanges(MEDIA, { media: undefined }))],
    ['a non-base64 media payload', JSON.stringify(withChanges(MEDIA, { media: { payload: 'not base64!' } }))],
    ['a base64 payload with bad padding', JSON.stringify(withChanges(MEDIA, { media: { payload: 'AAA' } }))],
    ['start without callSid', JSON.stringify(withChanges(START, { start: { callSid: undefined } }))],
    ['start with an empty callSid', JSON.stringify(withChanges(START, { start: { callSid: '' } }))],
    ['start with a string sampleRate', JSON.stringify(withChanges(START, { start: { mediaFormat: { sampleRate: '8000' } } }))],
    ['start with non-string custom parameters', JSON.stringify(withChanges(START, { start: { customParameters: { k: 1 } } }))],
    ['mark without a name', JSON.stringify(withChanges(MARK, { mark: { name: undefined } }))],
    ['dtmf with an empty digit', JSON.stringify(withChanges(DTMF, { dtmf: { digit: '' } }))],
    ['stop without callSid', JSON.stringify(withChanges(STOP, { stop: { callSid: undefined } }))],
    ['binary-looking garbage', Buffer.from([0x00, 0xff, 0x7b, 0x80, 0xfe, 0x01, 0x22]).toString('latin1')],
  ];

  it.each(cases)('reports %s as malformed with a reason', (_name, raw) => {
    const parsed = parseTwilioFrame(raw);
    expect(parsed.kind).toBe('malformed');
    if (parsed.kind !== 'malformed') throw new Error('expected malformed');
    expect(parsed.reason).toEqual(expect.any(String));
    expect(parsed.reason.length).toBeGreaterThan(0);
  });

  it('gives reasons that tell the cases apart', () => {
    const reasonOf = (raw: string): string => {
      const parsed = parseTwilioFrame(raw);
      return parsed.kind === 'malformed' ? parsed.reason : `not malformed: ${parsed.kind}`;
    };
    expect(reasonOf('{oops')).toBe('not JSON');
    expect(reasonOf('null')).toBe('not a JSON object');
    expect(reasonOf('{"streamSid":"MZ1"}')).toBe('no string "event" field');
    const payloadReason = reasonOf(JSON.stringify(withChanges(MEDIA, { media: { payload: '***' } })));
    expect(payloadReason).toMatch(/^media: /);
    expect(payloadReason).toContain('media.payload');
    const callSidReason = reasonOf(JSON.stringify(withChanges(START, { start: { callSid: undefined } })));
    expect(callSidReason).toMatch(/^start: /);
    expect(callSidReason).toContain('start.callSid');
    expect(reasonOf(JSON.stringify(withChanges(MEDIA, { sequenceNumber: 4 })))).toContain('sequenceNumber');
  });
});

describe('parseTwilioFrame: the media fast path agrees with the schema', () => {
  const media = (patch: Record<string, unknown>) => JSON.stringify(withChanges(MEDIA, patch));
  const payload = (value: unknown) => media({ media: { payload: value } });

  const valid: Array<[string, string]> = [
    ['the documented example', JSON.stringify(MEDIA)],
    ['no track', media({ media: { track: undefined } })],
    ['an outbound track', media({ media: { track: 'outbound' } })],
    ['unknown fields at both levels', media({ newTopLevelField: 'x', media: { newNestedField: [1] }, extra: { deep: true } })],
    ['an own __proto__ key', JSON.stringify(MEDIA).replace('{', '{"__proto__":{"polluted":true},')],
    ['an empty streamSid', media({ streamSid: '' })],
    ['counters with leading zeros', media({ sequenceNumber: '0004', media: { chunk: '0', timestamp: '00' } })],
    ['a counter too big for a double', media({ sequenceNumber: '9'.repeat(400) })],
    ['fields in another order', JSON.stringify({ media: { payload: 'AAAA', timestamp: '1', chunk: '1' }, streamSid: 'MZ1', sequenceNumber: '1', event: 'media' })],
    ...GOOD_BASE64.map(([name, value]): [string, string] => [`a payload ${name}`, payload(value)]),
  ];

  const malformed: Array<[string, string]> = [
    ['a numeric sequenceNumber', media({ sequenceNumber: 4 })],
    ['an empty sequenceNumber', media({ sequenceNumber: '' })],
    ['a negative sequenceNumber', media({ sequenceNumber: '-4' })],
    ['a decimal-point sequenceNumber', media({ sequenceNumber: '4.0' })],
    ['a sequenceNumber with a space', media({ sequenceNumber: ' 4' })],
    ['a sequenceNumber with a trailing newline', media({ sequenceNumber: '4\n' })],
    ['a sequenceNumber in Arabic-Indic digits', media({ sequenceNumber: '\u0664' })],
    ['a missing sequenceNumber', media({ sequenceNumber: undefined })],
    ['a numeric streamSid', media({ streamSid: 7 })],
    ['a null streamSid', media({ streamSid: null })],
    ['a missing streamSid', media({ streamSid: undefined })],
    ['media null', media({ media: null })],
    ['media an array', media({ media: [MEDIA.media] })],
    ['media a string', media({ media: 'AAAA' })],
    ['a missing media', media({ media: undefined })],
    ['a numeric track', media({ media: { track: 1 } })],
    ['a null track', media({ media: { track: null } })],
    ['a numeric chunk', media({ media: { chunk: 2 } })],
    ['a missing chunk', media({ media: { chunk: undefined } })],
    ['a null timestamp', media({ media: { timestamp: null } })],
    ['a hexadecimal timestamp', media({ media: { timestamp: '0x10' } })],
    ...BAD_BASE64.map(([name, value]): [string, string] => [`a payload ${name}`, payload(value)]),
  ];

  itAgreesWithTheSchema({ type: 'media', schema: inboundSchema, fastPath: mediaFastPath, parse: parseTwilioFrame, valid, malformed });

  it('rejects a bad payload with the message of before', () => {
    expect(parseTwilioFrame(payload('AA=A'))).toEqual({ kind: 'malformed', reason: 'media: media.payload expected base64' });
  });
});

describe('outbound builders: exactly the shapes of docs/protocols.md 1.3', () => {
  it('builds media', () => {
    expect(outboundMedia(STREAM_SID, SILENCE_FRAME_BASE64)).toEqual({
      event: 'media',
      streamSid: STREAM_SID,
      media: { payload: SILENCE_FRAME_BASE64 },
    });
  });

  it('builds mark', () => {
    expect(outboundMark(STREAM_SID, 'item_1:160:0')).toEqual({
      event: 'mark',
      streamSid: STREAM_SID,
      mark: { name: 'item_1:160:0' },
    });
  });

  it('builds clear', () => {
    expect(outboundClear(STREAM_SID)).toEqual({ event: 'clear', streamSid: STREAM_SID });
  });

  it('serializes to exactly the documented JSON, key order included', () => {
    expect(JSON.stringify(outboundMedia('MZ1', 'AAAA'))).toBe('{"event":"media","streamSid":"MZ1","media":{"payload":"AAAA"}}');
    expect(JSON.stringify(outboundMark('MZ1', 'm'))).toBe('{"event":"mark","streamSid":"MZ1","mark":{"name":"m"}}');
    expect(JSON.stringify(outboundClear('MZ1'))).toBe('{"event":"clear","streamSid":"MZ1"}');
  });
});

describe('the mark fast path', () => {
  const MARK = { event: 'mark', sequenceNumber: '7', streamSid: 'MZ1', mark: { name: 'm3' } };
  const mark = (changes: Record<string, unknown>) => JSON.stringify({ ...MARK, ...changes });
  itAgreesWithTheSchema({
    type: 'mark',
    schema: inboundSchema,
    fastPath: markFastPath,
    parse: parseTwilioFrame,
    valid: [
      ['a mark echo', mark({})],
      ['extra fields', mark({ extra: 1, mark: { name: 'm3', more: true } })],
    ],
    malformed: [
      ['a numeric name', mark({ mark: { name: 3 } })],
      ['no mark', mark({ mark: undefined })],
      ['a mark array', mark({ mark: [] })],
      ['a bad sequenceNumber', mark({ sequenceNumber: '-1' })],
      ['a numeric streamSid', mark({ streamSid: 1 })],
    ],
  });
});

describe('serializing outbound messages', () => {
  it('writes bot audio as the same text JSON.stringify would, whatever the streamSid holds', () => {
    const payload = Buffer.from(Array.from({ length: 161 }, (_, i) => (i * 7) & 0xff)).toString('base64');
    for (const streamSid of [STREAM_SID, 'MZ"quoted"\\back\nline\u2028']) {
      expect(serializeOutbound(outboundMedia(streamSid, payload))).toBe(JSON.stringify(outboundMedia(streamSid, payload)));
      expect(serializeOutbound(outboundMark(streamSid, 'm"1'))).toBe(JSON.stringify(outboundMark(streamSid, 'm"1')));
      expect(serializeOutbound(outboundClear(streamSid))).toBe(JSON.stringify(outboundClear(streamSid)));
    }
  });
});
