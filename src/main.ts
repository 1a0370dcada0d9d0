/**
 * `npm start`'s entry point: `callbridge start`. The command line in src/cli/ decides what runs and
 * src/service.ts wires it; this file and src/cli/entry.ts are the only ones that read process.env or exit.
 */
import dotenv from 'dotenv';
import { runCli } from './cli/main.js';

dotenv.config({ quiet: true });
process.exit(await runCli(['start', ...process.argv.slice(2)], { env: process.env, stdout: process.stdout, stderr: process.stderr }));
