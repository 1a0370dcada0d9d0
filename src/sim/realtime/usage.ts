import { itemPlainText, type SimItem } from './items.js';

const AUDIO_TOKENS_PER_SECOND = 10;

/** Token accounting that grows with the context like the real service's: every response re-reads it. */
export function responseUsage(context: readonly SimItem[], outputs: readonly SimItem[], instructions: string) {
  const textTokens = (text: string) => Math.ceil(text.length / 4);
  const audioTokens = (ms: number) => Math.ceil((ms / 1000) * AUDIO_TOKENS_PER_SECOND);
  let inputText = textTokens(instructions);
  let inputAudio = 0;
  for (const item of context) {
    if (outputs.includes(item)) continue;
    if (item.audioMs > 0) inputAudio += audioTokens(item.audioMs);
    else inputText += textTokens(itemPlainText(item));
  }
  const outputAudio = outputs.reduce((sum, item) => sum + audioTokens(item.audioMs), 0);
  const outputText = outputs.reduce((sum, item) => sum + textTokens(item.content[0]?.transcript ?? ''), 0);
  const input = inputText + inputAudio;
  const outputTokens = outputAudio + outputText;
  return {
    total_tokens: input + outputTokens,
    input_tokens: input,
    output_tokens: outputTokens,
    input_token_details: { text_tokens: inputText, audio_tokens: inputAudio, cached_tokens: Math.floor(input * 0.5) },
    output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
  };
}
