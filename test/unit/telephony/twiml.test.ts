import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { connectStreamTwiml, dialTwiml, hangupTwiml, unavailableTwiml, whisperTwiml } from '../../../src/telephony/twiml.js';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const STREAM_URL = 'wss://example.com/twilio/media';

/** Reads TwiML the way Twilio would: attributes kept, entities decoded, repeated children as arrays. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  ignoreDeclaration: true,
  processEntities: true,
  parseTagValue: false,
  isArray: (name) => name === 'Parameter',
});

interface ParsedParameter {
  '@name': string;
  '@value': string;
}

function streamParameters(twiml: string): ParsedParameter[] {
  const parsed = parser.parse(twiml) as {
    Response: { Connect: { Stream: { '@url': string; Parameter?: ParsedParameter[] } } };
  };
  return parsed.Response.Connect.Stream.Parameter ?? [];
}

describe('connectStreamTwiml', () => {
  it('produces exactly <Response><Connect><Stream url><Parameter/>...</Stream></Connect></Response>', () => {
    const twiml = connectStreamTwiml({ streamUrl: STREAM_URL, parameters: { callSid: 'CA123', from: '+14155550100' } });
    expect(twiml).toBe(
      XML_DECLARATION +
        '<Response><Connect><Stream url="wss://example.com/twilio/media">' +
        '<Parameter name="callSid" value="CA123"/><Parameter name="from" value="+14155550100"/>' +
        '</Stream></Connect></Response>',
    );
  });

  it('emits an empty Stream element and nothing after Connect when there are no parameters and no continueUrl', () => {
    expect(connectStreamTwiml({ streamUrl: STREAM_URL, parameters: {} })).toBe(
      `${XML_DECLARATION}<Response><Connect><Stream url="${STREAM_URL}"/></Connect></Response>`,
    );
  });

  it('keeps a ws:// stream URL for local runs', () => {
    const twiml = connectStreamTwiml({ streamUrl: 'ws://localhost:8080/twilio/media', parameters: {} });
    expect(twiml).toContain('<Stream url="ws://localhost:8080/twilio/media"/>');
  });

  it('escapes XML special characters in parameter values, which read back unchanged', () => {
    const tricky = `<b>Tom & "Jerry"</b> it's`;
    const twiml = connectStreamTwiml({ streamUrl: STREAM_URL, parameters: { note: tricky } });
    expect(twiml).not.toContain(tricky);
    expect(twiml).not.toContain('<b>');
    expect(twiml).toContain('&amp;');
    expect(twiml).toContain('&lt;b');
    expect(twiml).toContain('&quot;Jerry');
    expect(streamParameters(twiml)).toEqual([{ '@name': 'note', '@value': tricky }]);
  });

  it('escapes the stream URL attribute too', () => {
    const twiml = connectStreamTwiml({ streamUrl: 'wss://example.com/a&b"/twilio/media', parameters: {} });
    expect(twiml).toContain('url="wss://example.com/a&amp;b&quot;/twilio/media"');
  });

  it('keeps a parameter whose name + value is 499 characters and drops one that reaches 500', () => {
    const kept = 'v'.repeat(499 - 'kept'.length);
    const dropped = 'v'.repeat(500 - 'drop'.length);
    const twiml = connectStreamTwiml({
      streamUrl: STREAM_URL,
      parameters: { kept, drop: dropped, after: 'x' },
    });
    expect(streamParameters(twiml)).toEqual([
      { '@name': 'kept', '@value': kept },
      { '@name': 'after', '@value': 'x' },
    ]);
    expect(twiml).not.toContain('name="drop"');
  });

  it('adds <Redirect method="POST"> after </Connect> only when continueUrl is given', () => {
    const withContinue = connectStreamTwiml({
      streamUrl: STREAM_URL,
      parameters: { a: '1' },
      continueUrl: 'https://example.com/twilio/continue?call=CA1&step=2',
    });
    expect(withContinue).toBe(
      XML_DECLARATION +
        `<Response><Connect><Stream url="${STREAM_URL}"><Parameter name="a" value="1"/></Stream></Connect>` +
        '<Redirect method="POST">https://example.com/twilio/continue?call=CA1&amp;step=2</Redirect></Response>',
    );
    const without = connectStreamTwiml({ streamUrl: STREAM_URL, parameters: { a: '1' } });
    expect(without).not.toContain('Redirect');
  });
});

describe('other TwiML', () => {
  it('dialTwiml dials the number (a blind transfer without a whisper)', () => {
    expect(dialTwiml('+14155550100')).toBe(`${XML_DECLARATION}<Response><Dial><Number>+14155550100</Number></Dial></Response>`);
  });

  it('dialTwiml has the person who answers fetch the whisper first (a warm transfer)', () => {
    expect(dialTwiml('+14155550100', { whisperUrl: 'https://h/twilio/voice/whisper?callSid=CA1&x=1' })).toBe(
      `${XML_DECLARATION}<Response><Dial><Number url="https://h/twilio/voice/whisper?callSid=CA1&amp;x=1" method="POST">+14155550100</Number></Dial></Response>`,
    );
  });

  it('whisperTwiml says the brief', () => {
    expect(whisperTwiml('Caller wants a refund & a call back')).toBe(
      `${XML_DECLARATION}<Response><Say>Caller wants a refund &amp; a call back</Say></Response>`,
    );
  });

  it('hangupTwiml is a single Hangup', () => {
    expect(hangupTwiml()).toBe(`${XML_DECLARATION}<Response><Hangup/></Response>`);
  });

  it('unavailableTwiml says the escaped message, then hangs up', () => {
    const twiml = unavailableTwiml('Sorry, we are closed <now> & then');
    expect(twiml).toBe(
      `${XML_DECLARATION}<Response><Say>Sorry, we are closed &lt;now&gt; &amp; then</Say><Hangup/></Response>`,
    );
    const parsed = parser.parse(twiml) as { Response: { Say: string; Hangup: string } };
    expect(parsed.Response.Say).toBe('Sorry, we are closed <now> & then');
  });
});
