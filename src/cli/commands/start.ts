import { createLogger } from '../../log.js';
import type { CommandSpec } from '../cli-io.js';
import { loadSettings, serve } from '../serve.js';

export const startCommand: CommandSpec = {
  usage: 'start',
  summary: 'serve calls (what `npm start` runs): JSON logs, settings from the environment and .env',
  help: 'Listens on PORT for Twilio webhooks and media streams; SIGTERM or Ctrl-C drains live calls, then stops.',
  options: {},
  async run(_args, io) {
    const config = loadSettings(io);
    if (!config) return 1;
    return serve(config, createLogger(config.logLevel), io);
  },
};
