/**
 * The `callbridge` command's process: reads the environment (and .env) once, runs one command, and exits
 * with its code. Commands get the environment and their output streams handed in, so tests can run them.
 */
import dotenv from 'dotenv';
import { runCli } from './main.js';

dotenv.config({ quiet: true });
process.exit(await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }));
