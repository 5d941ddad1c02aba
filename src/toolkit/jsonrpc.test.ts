import { describe, expect, it } from 'vitest';
import { isInitialize, isInitializeMessage, kindOf, parseMessage } from './jsonrpc.js';

describe('JSON-RPC messages of a request body', () => {
  it('names the kind of each valid message', () => {
    const cases: [unknown, string][] = [
      [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } }, 'request'],
      [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, 'request'],
      [{ jsonrpc: '2.0', method: 'notifications/initialized' }, 'notification'],
      [{ jsonrpc: '2.0', id: 2, result: {} }, 'result'],
      [{ jsonrpc: '2.0', error: { code: -32700, message: 'parse' } }, 'error'],
    ];
    for (const [value, kind] of cases) expect(kindOf(parseMessage(value)!)).toBe(kind);
  });

  it('refuses what the SDK would drop unanswered: a null progress token, an unsafe id, params that are no object', () => {
    for (const value of [
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: null } } },
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: 1.5 } } },
      JSON.parse('{"jsonrpc": "2.0", "id": 9007199254740993, "method": "ping"}') as unknown,
      { jsonrpc: '2.0', id: 1, method: 'ping', params: [] },
      { jsonrpc: '2.0', id: 1, method: 'ping', extra: true },
      { jsonrpc: '2.0', id: 1, result: [] },
    ]) {
      expect(parseMessage(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('knows an initialize request only with the params the spec requires', () => {
    const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } };
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'initialize', params })).toBe(true);
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } })).toBe(false);
    expect(isInitialize({ jsonrpc: '2.0', method: 'initialize', params })).toBe(false);
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'ping', params })).toBe(false);
    // A message already checked is told the same way, without a second parse.
    expect(isInitializeMessage(parseMessage({ jsonrpc: '2.0', id: 1, method: 'initialize', params })!)).toBe(true);
    expect(isInitializeMessage(parseMessage({ jsonrpc: '2.0', method: 'initialize', params })!)).toBe(false);
    expect(isInitializeMessage(parseMessage({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })!)).toBe(false);
  });
});
