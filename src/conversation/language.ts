import { franc } from 'franc';

export interface Language {
  /** ISO 639-3, as franc reports it (e.g. `fra`). */
  code: string;
  /** English name, for prompts (e.g. `French`). */
  name: string;
}

/*
 * Phone transcripts are short; over franc's full 400-language set, a short English sentence can come
 * out as Scots. Restricting to widely spoken languages keeps detection honest on little text.
 */
const CANDIDATES = [
  'eng', 'fra', 'spa', 'deu', 'ita', 'por', 'nld', 'pol', 'ron', 'ces', 'swe', 'dan', 'nob', 'fin', 'hun',
  'ell', 'tur', 'rus', 'ukr', 'arb', 'heb', 'hin', 'ben', 'urd', 'ind', 'vie', 'tha', 'cmn', 'jpn', 'kor',
];

/** Below this much text the guess is noise. */
const MIN_CHARACTERS = 20;

const names = new Intl.DisplayNames(['en'], { type: 'language' });

/** The dominant language of what was said, or undefined when there is too little text to tell. */
export function detectLanguage(texts: readonly string[]): Language | undefined {
  const text = texts.join(' ').trim();
  if (text.length < MIN_CHARACTERS) return undefined;
  const code = franc(text, { only: CANDIDATES, minLength: MIN_CHARACTERS });
  if (code === 'und') return undefined;
  return { code, name: names.of(code) ?? code };
}
