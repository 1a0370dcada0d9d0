import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { TwilioRest } from '../telephony/twilio-rest.js';
import type { OpenTunnel } from './tunnel.js';

/** What a command is given: the environment, where to write, and the outside world's adapters (fakes in tests). */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Default: ngrok. */
  openTunnel?: OpenTunnel;
  /** Default: the twilio SDK at TWILIO_API_BASE_URL. */
  twilioRest?: TwilioRest;
}

/** A command line the command cannot run: exit code 2 and how to ask for help. */
export class UsageError extends Error {}

export interface CommandSpec {
  /** e.g. `dial <number>`. */
  usage: string;
  summary: string;
  /** Lines after the usage: options and examples. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Hand the arguments over unparsed, as positionals (commands that run a script with its own options). */
  rawArgs?: boolean;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  if (spec.rawArgs) return { values: {}, positionals: argv };
  try {
    const { values, positionals } = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
