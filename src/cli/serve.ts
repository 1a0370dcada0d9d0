import { loadConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { startService } from '../service.js';
import { loadTools } from '../tools/load.js';
import type { ToolRegistry } from '../tools/registry.js';
import { write, type CliIo } from './cli-io.js';

/** The settings, or undefined after telling the user exactly which are missing or invalid. */
export function loadSettings(io: CliIo, env: Record<string, string | undefined> = io.env): Readonly<Config> | undefined {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(io.stderr, settingsProblemText(error));
    return undefined;
  }
}

export function settingsProblemText(error: ConfigError): string {
  return (
    `callbridge cannot start: ${error.problems.length === 1 ? 'a setting is' : 'some settings are'} missing or invalid.\n\n` +
    error.problems.map((problem) => `  - ${problem}\n`).join('') +
    '\nSet them in the environment or in .env (copy .env.example to start).\n' +
    'No keys yet? `npm run demo` runs a whole simulated call offline, no phone or API key needed.\n'
  );
}

/**
 * Serves calls until SIGTERM or SIGINT, then drains and shuts down in order; resolves with the exit code.
 * `onListening` runs once the server listens (dev prints what it set up).
 */
export async function serve(config: Readonly<Config>, logger: Logger, io: CliIo, onListening?: (url: string) => void): Promise<number> {
  let tools: ToolRegistry;
  try {
    tools = loadTools(config.tools);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(io.stderr, settingsProblemText(error));
    return 1;
  }
  const server = await startService({ config, logger, tools, collectProcessMetrics: true });
  const publicUrl = config.publicUrl ?? `http://<your public host>`;
  logger.info(
    { voiceWebhook: `${publicUrl}/twilio/voice`, dashboard: config.operatorToken ? `${publicUrl}/` : 'off (set OPERATOR_TOKEN)' },
    'ready for calls: point your Twilio number\'s "A call comes in" webhook (HTTP POST) at voiceWebhook',
  );
  onListening?.(server.url);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        resolve(1);
        return;
      }
      stopping = true;
      logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'draining: no new calls, waiting for live ones');
      server.close().then(
        () => {
          logger.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('uncaughtException', (error) => {
      logger.fatal({ err: error }, 'uncaught exception');
      resolve(1);
    });
    process.on('unhandledRejection', (reason) => {
      logger.fatal({ err: reason }, 'unhandled promise rejection');
      resolve(1);
    });
  });
}
