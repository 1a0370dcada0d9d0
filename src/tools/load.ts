import { ConfigError } from '../errors.js';
import { END_CALL_TOOL, TRANSFER_TOOL } from './builtin.js';
import { CODE_TOOLS } from './code-tools.js';
import { httpTool } from './http-tool.js';
import { ToolRegistry } from './registry.js';
import type { Tool } from './tool.js';
import { loadToolsFile } from './tools-file.js';

/**
 * The business's tools: the code tools, then the HTTP tools of TOOLS_FILE.
 * @throws ConfigError naming the file, the tool and the field of any problem.
 */
export function loadTools(settings: { file: string | undefined; secret: string | undefined }, codeTools: readonly Tool[] = CODE_TOOLS): ToolRegistry {
  const fromFile = settings.file ? loadToolsFile(settings.file).map((entry) => httpTool(entry, { secret: settings.secret })) : [];
  const tools = [...codeTools, ...fromFile];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const tool of tools) {
    if (tool.name === END_CALL_TOOL || tool.name === TRANSFER_TOOL) problems.push(`TOOLS_FILE: tool "${tool.name}": name: is a built-in tool`);
    else if (seen.has(tool.name)) problems.push(`TOOLS_FILE: tool "${tool.name}": name: is already a code tool`);
    seen.add(tool.name);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new ToolRegistry(tools);
}
