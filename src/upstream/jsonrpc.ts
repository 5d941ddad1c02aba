import { isInitializeRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * JSON-RPC 2.0 message shapes, checked by hand: the same rules as the SDK's `JSONRPCMessageSchema`
 * (exact keys, integer or string ids, object params and results, an error's integer code and
 * string message) at a small part of a zod parse's cost, which every toolkit request paid twice.
 * What a method's params hold is checked later, by the handler's own schema.
 */
export type MessageKind = 'request' | 'notification' | 'result' | 'error';

const requestKeys = new Set(['jsonrpc', 'id', 'method', 'params']);
const resultKeys = new Set(['jsonrpc', 'id', 'result']);
const errorKeys = new Set(['jsonrpc', 'id', 'error']);

/** What kind of JSON-RPC message `value` is, or undefined if it is none. */
export function messageKind(value: unknown): MessageKind | undefined {
  if (!isObject(value) || value.jsonrpc !== '2.0') return undefined;
  if ('method' in value) {
    if (typeof value.method !== 'string' || !onlyKeys(value, requestKeys)) return undefined;
    if (value.params !== undefined && !(isObject(value.params) && (value.params._meta === undefined || isObject(value.params._meta)))) return undefined;
    if (!('id' in value)) return 'notification';
    return isId(value.id) ? 'request' : undefined;
  }
  if ('result' in value) return isId(value.id) && isObject(value.result) && onlyKeys(value, resultKeys) ? 'result' : undefined;
  if ('error' in value) {
    const { error } = value;
    const valid = isObject(error) && Number.isInteger(error.code) && typeof error.message === 'string';
    return valid && (value.id === undefined || isId(value.id)) && onlyKeys(value, errorKeys) ? 'error' : undefined;
  }
  return undefined;
}

export function isMessage(value: unknown): value is JSONRPCMessage {
  return messageKind(value) !== undefined;
}

/** An `initialize` request with the params the spec requires (the full schema only for that method). */
export function isInitialize(value: unknown): boolean {
  return messageKind(value) === 'request' && (value as { method: string }).method === 'initialize' && isInitializeRequest(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return typeof value === 'string' || Number.isInteger(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: Set<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}
