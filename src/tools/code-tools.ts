import type { Tool } from './tool.js';

/**
 * The one list to register TypeScript tools in: every call offers these to the model alongside the
 * HTTP tools from TOOLS_FILE (names unique across both). Empty by default, so a deployment offers only
 * what its business chose; `examples/business-hours.ts` is the worked example (the offline demo
 * registers it): copy it, change the handler, import it here and add it to the list.
 */
export const CODE_TOOLS: readonly Tool[] = [];
