/**
 * Run as a child process with NODE_EXTRA_CA_CERTS set (Node reads it only at start-up): connects to the
 * Realtime endpoint given in REALTIME_URL the way a call does and prints what happened as JSON.
 */
import { once } from 'node:events';
import { silentLogger } from '../../src/log.js';
import { WsRealtimeConnection } from '../../src/realtime/connection.js';

const connection = new WsRealtimeConnection(
  { url: process.env['REALTIME_URL']!, model: 'gpt-realtime', apiKey: 'sk-test' },
  silentLogger(),
);
const outcome = await Promise.race([
  once(connection, 'event').then(([event]) => ({ realtime: (event as { type: string }).type })),
  once(connection, 'closed').then(([closed]) => ({ realtime: `closed: ${(closed as { reason: string }).reason}` })),
]);
connection.close();
process.stdout.write(JSON.stringify(outcome));
