import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';

const example = dotenv.parse(readFileSync(new URL('../../.env.example', import.meta.url)));

describe('.env.example', () => {
  it('documents every variable the service reads, and nothing else', () => {
    expect(Object.keys(example).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('is a valid configuration once the three keys are filled in', () => {
    const config = loadConfig({
      ...example,
      OPENAI_API_KEY: 'sk-example',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
    });
    expect(config.port).toBe(8080);
    expect(config.operatorToken).toBeUndefined();
  });
});
