import { McpError, isInitializeRequest, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * A client's JSON-RPC message, checked once by the SDK's schema: the SDK's protocol checks each
 * message again and drops, unanswered, any it refuses, so a looser check here would leave the
 * request hanging. Undefined when it is not one.
 */
export function parseMessage(value: unknown): JSONRPCMessage | undefined {
  const parsed = JSONRPCMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export type MessageKind = 'request' | 'notification' | 'result' | 'error';

/** What a valid message is, told by its shape (no schema parse for what is already checked). */
export function kindOf(message: JSONRPCMessage): MessageKind {
  if ('method' in message) return 'id' in message ? 'request' : 'notification';
  return 'result' in message ? 'result' : 'error';
}

/** Whether a checked message is an `initialize` request with the params the spec requires. */
export function isInitializeMessage(message: JSONRPCMessage): boolean {
  return kindOf(message) === 'request' && (message as { method: string }).method === 'initialize' && isInitializeRequest(message);
}

/** Whether a raw body is an `initialize` request (the full schema only for that method). */
export function isInitialize(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || (value as { method?: unknown }).method !== 'initialize') return false;
  const message = parseMessage(value);
  return message !== undefined && isInitializeMessage(message);
}

/**
 * A JSON-RPC error to throw from a request handler. The SDK's `McpError` puts `MCP error <code>:`
 * in its message, which goes on the wire as is, and an SDK client prefixes it again: the message
 * here is the plain text, as the client will show it once.
 */
export function mcpError(code: number, message: string, data?: unknown): McpError {
  return Object.assign(new McpError(code, message, data), { message });
}
