/**
 * `callbridge` as the bin runs it, but with a fake ngrok: the "tunnel" is this machine's own port, so
 * `dev --tunnel` can be run as a user runs it (spawned, output and exit code checked) without the internet.
 */
import { runCli } from '../../src/cli/main.js';

process.exit(
  await runCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    openTunnel: async ({ port, authtoken }) => {
      process.stdout.write(`fake tunnel opened to port ${port} with authtoken ${authtoken.length} characters long\n`);
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          process.stdout.write('fake tunnel closed\n');
        },
      };
    },
  }),
);
