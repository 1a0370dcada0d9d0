import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../../src/tools/registry.js';
import type { Tool } from '../../../src/tools/tool.js';

const orderParameters = {
  type: 'object',
  properties: { orderId: { type: 'string', description: 'digits only' }, count: { type: 'integer', minimum: 1 } },
  required: ['orderId'],
  additionalProperties: false,
};

function tool(name: string, overrides: Partial<Tool> = {}): Tool {
  return { name, description: `the ${name} tool`, parameters: orderParameters, handler: async () => 'done', ...overrides };
}

describe('ToolRegistry', () => {
  it('offers name, description and the parameters unchanged, in registration order', () => {
    const registry = new ToolRegistry([tool('lookup_order', { timeoutMs: 3000 }), tool('b-2')]);
    expect(registry.definitions()).toEqual([
      { name: 'lookup_order', description: 'the lookup_order tool', parameters: orderParameters },
      { name: 'b-2', description: 'the b-2 tool', parameters: orderParameters },
    ]);
    expect(registry.definitions()[0]!.parameters).toBe(orderParameters);
    expect(registry.names).toEqual(['lookup_order', 'b-2']);
    expect(registry.has('b-2')).toBe(true);
    expect(registry.has('nope')).toBe(false);
    expect(registry.get('lookup_order')?.timeoutMs).toBe(3000);
    expect(registry.get('nope')).toBeUndefined();
  });

  it('refuses duplicate and invalid names, bad timeouts and schemas it cannot compile', () => {
    expect(() => new ToolRegistry([tool('a'), tool('a')])).toThrow('two tools are named a');
    expect(() => new ToolRegistry([tool('has space')])).toThrow('invalid tool name "has space"');
    expect(() => new ToolRegistry([tool('x'.repeat(65))])).toThrow('invalid tool name');
    expect(() => new ToolRegistry([tool('slow', { timeoutMs: 30_001 })])).toThrow('tool slow: timeoutMs');
    expect(() => new ToolRegistry([tool('broken', { parameters: { type: 'bogus' } })])).toThrow(/^tool broken: .*Unsupported type: bogus/);
  });

  describe('parseArguments', () => {
    const registry = new ToolRegistry([tool('lookup_order')]);

    it('returns the arguments that match the schema', () => {
      expect(registry.parseArguments('lookup_order', '{"orderId":"4572","count":2}')).toEqual({
        ok: true,
        args: { orderId: '4572', count: 2 },
      });
    });

    it('says when the arguments are not JSON, or not an object', () => {
      expect(registry.parseArguments('lookup_order', '{"orderId":')).toEqual({ ok: false, error: 'invalid arguments: not JSON' });
      expect(registry.parseArguments('lookup_order', '["4572"]')).toEqual({ ok: false, error: 'invalid arguments: not a JSON object' });
      expect(registry.parseArguments('lookup_order', 'null')).toEqual({ ok: false, error: 'invalid arguments: not a JSON object' });
    });

    it('names the field that failed the schema', () => {
      expect(registry.parseArguments('lookup_order', '{"orderId":4572}')).toEqual({
        ok: false,
        error: 'invalid arguments: orderId: expected string, received number',
      });
      expect(registry.parseArguments('lookup_order', '{"orderId":"1","count":0}')).toEqual({
        ok: false,
        error: 'invalid arguments: count: Too small: expected number to be >=1',
      });
      expect(registry.parseArguments('lookup_order', '{"orderId":"1","extra":true}')).toEqual({
        ok: false,
        error: 'invalid arguments: Unrecognized key: "extra"',
      });
    });

    it('refuses a tool it does not have', () => {
      expect(registry.parseArguments('nope', '{}')).toEqual({ ok: false, error: 'no tool named nope' });
    });
  });
});
