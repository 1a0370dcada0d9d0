import { openPgliteClient } from '../../src/store/pglite-client.js';

/**
 * Once before any test file: opening one embedded database makes and keeps the cluster template
 * (src/store/pglite-initdb.ts), so the workers and the servers they spawn load it instead of each
 * running its own initdb at once on a cold cache.
 */
export default async function warmClusterTemplate(): Promise<void> {
  const client = await openPgliteClient();
  await client.close();
}
