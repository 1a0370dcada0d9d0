/**
 * Composition root for `npm start`: reads the environment (and .env), builds everything, listens, and
 * shuts down in order on SIGTERM/SIGINT. The only module that reads process.env or exits.
 */
import dotenv from 'dotenv';
import { loadConfig, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
import { loadTools } from './tools/load.js';
import type { ToolRegistry } from './tools/registry.js';

dotenv.config({ quiet: true });

let config: Readonly<Config>;
let tools: ToolRegistry;
try {
  config = loadConfig(process.env);
  tools = loadTools(config.tools);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(
    `callbridge cannot start: ${error.problems.length === 1 ? 'a setting is' : 'some settings are'} missing or invalid.\n\n` +
      error.problems.map((problem) => `  - ${problem}\n`).join('') +
      '\nSet them in the environment or in .env (copy .env.example to start).\n' +
      'No keys yet? `npm run demo` runs a whole simulated call offline, no phone or API key needed.\n',
  );
  process.exit(1);
}

const logger = createLogger(config.logLevel);
const server = await startServer({ config, logger, tools, collectProcessMetrics: true });
const publicUrl = config.publicUrl ?? `http://<your public host>`;
logger.info(
  { voiceWebhook: `${publicUrl}/twilio/voice`, dashboard: config.operatorToken ? `${publicUrl}/` : 'off (set OPERATOR_TOKEN)' },
  'ready for calls: point your Twilio number\'s "A call comes in" webhook (HTTP POST) at voiceWebhook',
);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'draining: no new calls, waiting for live ones');
  server.close().then(
    () => {
      logger.info('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled promise rejection');
  process.exit(1);
});
