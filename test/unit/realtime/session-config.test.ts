import { describe, expect, it } from 'vitest';
import { sessionUpdate } from '../../../src/realtime/client-events.js';
import { buildSession, type SessionSettings } from '../../../src/realtime/session-config.js';

const SERVER_VAD: SessionSettings = {
  model: 'gpt-realtime',
  voice: 'marin',
  instructions: 'You are a friendly phone assistant.',
  transcriptionModel: 'gpt-4o-transcribe',
  turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
};

describe('buildSession', () => {
  it('builds exactly the session.update of docs/protocols.md 2.2 for server VAD', () => {
    expect(sessionUpdate(buildSession(SERVER_VAD))).toEqual({
      type: 'session.update',
      session: {
        type: 'realtime',
        model: 'gpt-realtime',
        output_modalities: ['audio'],
        instructions: 'You are a friendly phone assistant.',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            transcription: { model: 'gpt-4o-transcribe' },
            turn_detection: {
              type: 'server_vad',
              threshold: 0.5,
              prefix_padding_ms: 300,
              silence_duration_ms: 500,
              create_response: true,
              interrupt_response: true,
            },
          },
          output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' },
        },
        tools: [],
        tool_choice: 'auto',
      },
    });
  });

  it('passes the settings through: model, voice, instructions, transcription model and VAD numbers', () => {
    const session = buildSession({
      ...SERVER_VAD,
      model: 'gpt-realtime-mini',
      voice: 'cedar',
      instructions: 'Speak French.',
      transcriptionModel: 'gpt-4o-mini-transcribe',
      turnDetection: { type: 'server_vad', threshold: 0.8, prefixPaddingMs: 200, silenceDurationMs: 900 },
    });
    expect(session).toMatchObject({
      model: 'gpt-realtime-mini',
      instructions: 'Speak French.',
      audio: {
        input: {
          transcription: { model: 'gpt-4o-mini-transcribe' },
          turn_detection: { type: 'server_vad', threshold: 0.8, prefix_padding_ms: 200, silence_duration_ms: 900 },
        },
        output: { voice: 'cedar' },
      },
    });
  });

  it('builds a semantic VAD turn detection with eagerness, create_response and interrupt_response', () => {
    const session = buildSession({ ...SERVER_VAD, turnDetection: { type: 'semantic_vad', eagerness: 'low' } });
    expect(session.audio?.input?.turn_detection).toEqual({
      type: 'semantic_vad',
      eagerness: 'low',
      create_response: true,
      interrupt_response: true,
    });
  });

  it('maps tools to {type:"function", name, description, parameters}', () => {
    const parameters = {
      type: 'object',
      properties: { reason: { type: 'string', description: 'Why the caller wants a human' } },
      required: ['reason'],
    };
    const session = buildSession({
      ...SERVER_VAD,
      tools: [
        { name: 'transfer_to_human', description: 'Transfers the caller to a person.', parameters },
        { name: 'end_call', description: 'Hangs up.', parameters: { type: 'object', properties: {} } },
      ],
    });
    expect(session.tools).toEqual([
      { type: 'function', name: 'transfer_to_human', description: 'Transfers the caller to a person.', parameters },
      { type: 'function', name: 'end_call', description: 'Hangs up.', parameters: { type: 'object', properties: {} } },
    ]);
    expect(session.tool_choice).toBe('auto');
  });

  it('adds input noise reduction only when asked', () => {
    expect(buildSession(SERVER_VAD).audio?.input).not.toHaveProperty('noise_reduction');
    expect(buildSession({ ...SERVER_VAD, noiseReduction: undefined }).audio?.input).not.toHaveProperty('noise_reduction');
    expect(buildSession({ ...SERVER_VAD, noiseReduction: 'near_field' }).audio?.input?.noise_reduction).toEqual({
      type: 'near_field',
    });
    expect(buildSession({ ...SERVER_VAD, noiseReduction: 'far_field' }).audio?.input?.noise_reduction).toEqual({
      type: 'far_field',
    });
  });

  it('sends no GA-removed fields such as temperature or the beta modalities', () => {
    const session: object = buildSession(SERVER_VAD);
    expect(session).not.toHaveProperty('temperature');
    expect(session).not.toHaveProperty('modalities');
    expect(session).not.toHaveProperty('input_audio_format');
    expect(session).not.toHaveProperty('output_audio_format');
    expect(session).not.toHaveProperty('turn_detection');
    expect(session).not.toHaveProperty('voice');
  });
});
