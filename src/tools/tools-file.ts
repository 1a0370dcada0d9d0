import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../errors.js';
import { DEFAULT_TOOL_TIMEOUT_MS, MAX_TOOL_TIMEOUT_MS, TOOL_NAME_PATTERN } from './tool.js';

/** One tool served by someone else's HTTP endpoint, as TOOLS_FILE describes it. */
export interface HttpToolEntry {
  name: string;
  description: string;
  /** JSON Schema object for the arguments, passed to the model unchanged. */
  parameters: Record<string, unknown>;
  /** Receives a POST per call of the tool. */
  url: string;
  /** 1..MAX_TOOL_TIMEOUT_MS; default DEFAULT_TOOL_TIMEOUT_MS. */
  timeoutMs: number;
}

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : what);

const entrySchema = z.strictObject(
  {
    name: z.string({ error: required('must be a string') }).regex(TOOL_NAME_PATTERN, 'must be 1-64 letters, digits, _ or -'),
    description: z.string({ error: required('must be a string') }).trim().min(1, 'must not be empty'),
    parameters: z
      .record(z.string(), z.unknown(), { error: required('must be a JSON Schema object') })
      .refine((schema) => schema.type === 'object', 'must be a JSON Schema with type "object"')
      .superRefine((schema, context) => {
        try {
          z.fromJSONSchema(schema);
        } catch (error) {
          context.addIssue({ code: 'custom', message: `cannot be compiled: ${errorMessage(error)}` });
        }
      }),
    url: z.url({ protocol: /^https?$/, error: required('must be an http(s) URL') }),
    timeoutMs: z
      .int({ error: `must be an integer from 1 to ${MAX_TOOL_TIMEOUT_MS}` })
      .min(1, `must be an integer from 1 to ${MAX_TOOL_TIMEOUT_MS}`)
      .max(MAX_TOOL_TIMEOUT_MS, `must be an integer from 1 to ${MAX_TOOL_TIMEOUT_MS}`)
      .default(DEFAULT_TOOL_TIMEOUT_MS),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : 'must be an object') },
);

const fileSchema = z.strictObject(
  {
    tools: z.array(entrySchema, { error: required('must be an array') }).superRefine((tools, context) => {
      const firstIndex = new Map<string, number>();
      tools.forEach((tool, index) => {
        const first = firstIndex.get(tool.name);
        if (first !== undefined) context.addIssue({ code: 'custom', path: [index, 'name'], message: `is already the name of tool #${first}` });
        else firstIndex.set(tool.name, index);
      });
    }),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : 'must be a JSON object') },
);

/** Reads and checks TOOLS_FILE; every problem names the file, the tool and the field. */
export function loadToolsFile(path: string): HttpToolEntry[] {
  const problem = (text: string) => `TOOLS_FILE ${path}: ${text}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new ConfigError([problem(`${reason}: ${errorMessage(error)}`)]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => problem(describeIssue(raw, issue))));
  return parsed.data.tools;
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const [top, index, ...field] = issue.path;
  if (top !== 'tools' || typeof index !== 'number') return [...issue.path, issue.message].join(': ');
  return [`tool ${toolLabel(raw, index)}`, ...(field.length > 0 ? [field.join('.')] : []), issue.message].join(': ');
}

/** A tool by its name while it has a usable one, else by its place in the list. */
function toolLabel(raw: unknown, index: number): string {
  const name: unknown = (raw as { tools: { name?: unknown }[] }).tools[index]?.name;
  return typeof name === 'string' && TOOL_NAME_PATTERN.test(name) ? JSON.stringify(name) : `#${index}`;
}
