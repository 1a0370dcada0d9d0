import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { loadToolsFile } from '../../../src/tools/tools-file.js';

const dir = mkdtempSync(join(tmpdir(), 'callbridge-tools-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lookupOrder = {
  name: 'lookup_order',
  description: "Look up an order's status by its order number",
  parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'], additionalProperties: false },
  url: 'http://127.0.0.1:4010/tools/lookup_order',
};

let files = 0;
function fileWith(content: unknown): string {
  const path = join(dir, `tools-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The problems loadToolsFile reports, without the "TOOLS_FILE <path>: " prefix every one of them has. */
function problemsOf(content: unknown): string[] {
  const path = fileWith(content);
  try {
    loadToolsFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    for (const problem of problems) expect(problem.startsWith(`TOOLS_FILE ${path}: `)).toBe(true);
    return problems.map((problem) => problem.slice(`TOOLS_FILE ${path}: `.length));
  }
  throw new Error('expected loadToolsFile to throw');
}

describe('loadToolsFile', () => {
  it('reads the HTTP tools, defaulting timeoutMs to 5000 ms', () => {
    const path = fileWith({ tools: [lookupOrder, { ...lookupOrder, name: 'cancel-order', timeoutMs: 30_000 }] });
    expect(loadToolsFile(path)).toEqual([
      { ...lookupOrder, timeoutMs: 5000 },
      { ...lookupOrder, name: 'cancel-order', timeoutMs: 30_000 },
    ]);
  });

  it('accepts the example file shipped in examples/', () => {
    const example = fileURLToPath(new URL('../../../examples/tools.json', import.meta.url));
    const orderId = { type: 'string', description: 'The order number the caller gives, digits only' };
    const parameters = { ...lookupOrder.parameters, properties: { orderId } };
    expect(loadToolsFile(example)).toEqual([{ ...lookupOrder, parameters, timeoutMs: 3000 }]);
  });

  it('names the tool and the field of each problem', () => {
    expect(problemsOf({ tools: [{ ...lookupOrder, url: 'ftp://example.com/x' }] })).toEqual([
      'tool "lookup_order": url: must be an http(s) URL',
    ]);
    expect(problemsOf({ tools: [{ ...lookupOrder, description: ' ' }] })).toEqual(['tool "lookup_order": description: must not be empty']);
    expect(problemsOf({ tools: [{ ...lookupOrder, timeoutMs: 30_001 }] })).toEqual([
      'tool "lookup_order": timeoutMs: must be an integer from 1 to 30000',
    ]);
    expect(problemsOf({ tools: [{ ...lookupOrder, timeoutMs: 2.5 }] })).toEqual([
      'tool "lookup_order": timeoutMs: must be an integer from 1 to 30000',
    ]);
    expect(problemsOf({ tools: [{ ...lookupOrder, parameters: { type: 'string' } }] })).toEqual([
      'tool "lookup_order": parameters: must be a JSON Schema with type "object"',
    ]);
    expect(problemsOf({ tools: [{ ...lookupOrder, retries: 3 }] })).toEqual(['tool "lookup_order": unknown field(s) retries']);
  });

  it('names a tool by its place in the list when its name is missing or invalid', () => {
    expect(problemsOf({ tools: [lookupOrder, { ...lookupOrder, name: 'look up' }] })).toEqual([
      'tool #1: name: must be 1-64 letters, digits, _ or -',
    ]);
    expect(problemsOf({ tools: [{ parameters: [], url: 5 }] })).toEqual([
      'tool #0: name: is required',
      'tool #0: description: is required',
      'tool #0: parameters: must be a JSON Schema object',
      'tool #0: url: must be an http(s) URL',
    ]);
    expect(problemsOf({ tools: ['lookup_order'] })).toEqual(['tool #0: must be an object']);
  });

  it('refuses parameters zod cannot compile', () => {
    const parameters = { type: 'object', properties: { orderId: { type: 'text' } } };
    expect(problemsOf({ tools: [{ ...lookupOrder, parameters }] })).toEqual([
      'tool "lookup_order": parameters: cannot be compiled: Unsupported type: text',
    ]);
  });

  it('refuses two tools with one name', () => {
    expect(problemsOf({ tools: [lookupOrder, { ...lookupOrder, url: 'https://example.com/other' }] })).toEqual([
      'tool "lookup_order": name: is already the name of tool #0',
    ]);
  });

  it('refuses a file of the wrong shape, invalid JSON, or no file at all', () => {
    expect(problemsOf({})).toEqual(['tools: is required']);
    expect(problemsOf({ tools: {} })).toEqual(['tools: must be an array']);
    expect(problemsOf([lookupOrder])).toEqual(['must be a JSON object']);
    expect(problemsOf('{ "tools": [')).toEqual([expect.stringMatching(/^is not valid JSON: /)]);
    expect(() => loadToolsFile(join(dir, 'missing.json'))).toThrow(/TOOLS_FILE .*missing\.json: cannot be read: ENOENT/);
  });
});
