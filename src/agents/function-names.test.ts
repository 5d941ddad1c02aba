import { describe, expect, it } from 'vitest';
import { FunctionNames } from './function-names.js';

describe('FunctionNames', () => {
  it('keeps valid names and maps slashes reversibly', () => {
    const names = new FunctionNames();
    expect(names.add('echo')).toBe('echo');
    expect(names.add('mcp-python/code_exec_python')).toBe('mcp-python_code_exec_python');
    expect(names.original('mcp-python_code_exec_python')).toBe('mcp-python/code_exec_python');
    expect(names.original('echo')).toBe('echo');
  });

  it('keeps mapped names distinct', () => {
    const names = new FunctionNames();
    const a = names.add('mcp-a/x.y');
    const b = names.add('mcp-a/x_y');
    expect(a).not.toBe(b);
    expect(names.original(a)).toBe('mcp-a/x.y');
    expect(names.original(b)).toBe('mcp-a/x_y');
  });
});
