import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { isInitialize, isMessage, messageKind } from './jsonrpc.js';

const valid: [unknown, string][] = [
  [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } }, 'request'],
  [{ jsonrpc: '2.0', id: 'a-1', method: 'ping' }, 'request'],
  [{ jsonrpc: '2.0', id: 0, method: 'x', params: { _meta: { progressToken: 't' } } }, 'request'],
  [{ jsonrpc: '2.0', method: 'notifications/initialized' }, 'notification'],
  [{ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } }, 'notification'],
  [{ jsonrpc: '2.0', id: 2, result: {} }, 'result'],
  [{ jsonrpc: '2.0', id: 2, result: { content: [], _meta: {} } }, 'result'],
  [{ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'no' } }, 'error'],
  [{ jsonrpc: '2.0', error: { code: -32700, message: 'parse', data: [1] } }, 'error'],
];

const invalid: unknown[] = [
  null,
  [],
  'ping',
  {},
  { jsonrpc: '1.0', id: 1, method: 'ping' },
  { id: 1, method: 'ping' },
  { jsonrpc: '2.0', id: 1.5, method: 'ping' },
  { jsonrpc: '2.0', id: null, method: 'ping' },
  { jsonrpc: '2.0', id: {}, method: 'ping' },
  { jsonrpc: '2.0', id: 1, method: 7 },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: [] },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: null },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: 'x' },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: 'x' } },
  { jsonrpc: '2.0', id: 1, method: 'ping', extra: true },
  { jsonrpc: '2.0', method: 'n', extra: true },
  { jsonrpc: '2.0', id: 1, result: [] },
  { jsonrpc: '2.0', id: 1, result: null },
  { jsonrpc: '2.0', result: {} },
  { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'm' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1 } },
  { jsonrpc: '2.0', id: 1, error: 'boom' },
  { jsonrpc: '2.0', id: 1 },
];

describe('JSON-RPC shapes checked by hand', () => {
  it('accepts what the SDK schema accepts, and names the kind', () => {
    for (const [message, kind] of valid) {
      expect(JSONRPCMessageSchema.safeParse(message).success, JSON.stringify(message)).toBe(true);
      expect(messageKind(message), JSON.stringify(message)).toBe(kind);
    }
  });

  it('refuses what the SDK schema refuses', () => {
    for (const message of invalid) {
      expect(JSONRPCMessageSchema.safeParse(message).success, JSON.stringify(message)).toBe(false);
      expect(isMessage(message), JSON.stringify(message)).toBe(false);
    }
  });

  it('knows an initialize request only with the params the spec requires', () => {
    const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } };
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'initialize', params })).toBe(true);
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } })).toBe(false);
    expect(isInitialize({ jsonrpc: '2.0', method: 'initialize', params })).toBe(false);
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'ping', params })).toBe(false);
  });
});
