import { XMLParser } from 'fast-xml-parser';

/*
 * What the simulated Twilio reads of our TwiML: the stream to open and its parameters, where to go
 * after it, and a <Dial> with its whisper URL, as Twilio's own parser would see them.
 */

/** An element's text: a bare string, or under `text` when it has attributes. */
type TwimlText = string | { text: string };
type TwimlDial = string | { text?: string; Number?: string | { text: string; url?: string } };

interface Twiml {
  Response?: {
    Connect?: { Stream?: { url?: string; Parameter?: { name: string; value: string } | { name: string; value: string }[] } };
    Redirect?: { text: string; method?: string };
    Dial?: TwimlDial;
    Hangup?: unknown;
    Say?: TwimlText;
  };
}

export interface ConnectInstructions {
  streamUrl: string;
  parameters: Record<string, string>;
  /** The TwiML after `</Connect>`, fetched once the server closes the stream. */
  continueUrl: string | undefined;
}

export interface AfterStream {
  /** The number dialled, when the TwiML transfers the caller. */
  dial: string | undefined;
  /** `<Number url>`: fetched when the dialled person answers, and played to them alone. */
  whisperUrl: string | undefined;
  hangup: boolean;
}

function parse(xml: string): Twiml {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', parseTagValue: false }).parse(xml) as Twiml;
}

/** The answer to the voice webhook: `<Connect><Stream>`, or an error when there is none. */
export function readConnect(xml: string): ConnectInstructions {
  const twiml = parse(xml);
  const stream = twiml.Response?.Connect?.Stream;
  if (!stream?.url) throw new Error('TwiML has no <Connect><Stream url>');
  const list = stream.Parameter === undefined ? [] : Array.isArray(stream.Parameter) ? stream.Parameter : [stream.Parameter];
  return {
    streamUrl: stream.url,
    parameters: Object.fromEntries(list.map((p) => [p.name, String(p.value)])),
    continueUrl: twiml.Response?.Redirect?.text,
  };
}

/** The answer to the voice webhook as Twilio acts on it: open the stream, or hang up at once. */
export function readVoiceAnswer(xml: string): ConnectInstructions | 'hangup' {
  const twiml = parse(xml);
  if (twiml.Response?.Connect === undefined && twiml.Response?.Hangup !== undefined) return 'hangup';
  return readConnect(xml);
}

/** The TwiML Twilio runs after the stream: a transfer (with its whisper) or a hang-up. */
export function readAfterStream(xml: string): AfterStream {
  const twiml = parse(xml);
  const dial = twiml.Response?.Dial;
  const number = dial === undefined || typeof dial === 'string' ? undefined : dial.Number;
  return {
    dial: dial === undefined ? undefined : dialedNumber(dial),
    whisperUrl: typeof number === 'object' ? number.url : undefined,
    hangup: twiml.Response?.Hangup !== undefined,
  };
}

/** The text of a `<Say>` (a whisper), if there is one. */
export function readSay(xml: string): string | undefined {
  const say = parse(xml).Response?.Say;
  return say === undefined ? undefined : typeof say === 'string' ? say : say.text;
}

/** `<Dial>` names its number as its text or in a `<Number>` noun (the form that carries a whisper URL). */
function dialedNumber(dial: TwimlDial): string {
  if (typeof dial === 'string') return dial;
  const number = dial.Number ?? dial.text ?? '';
  return typeof number === 'string' ? number : number.text;
}
