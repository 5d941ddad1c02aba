import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const texts = new WeakMap<object, string>();

/**
 * Serializes an answer once, ahead of time, and returns its text: a transport that sends the
 * answer as a result writes this text instead of serializing it again. The answer must not change
 * afterwards.
 */
export function prepareJson(answer: object): string {
  const text = JSON.stringify(answer);
  texts.set(answer, text);
  return text;
}

/** The JSON text of a message, reusing the prepared text of its result where there is one. */
export function stringifyMessage(message: JSONRPCMessage): string {
  const result = 'result' in message ? texts.get(message.result) : undefined;
  if (result === undefined || !('id' in message)) return JSON.stringify(message);
  return `{"result":${result},"jsonrpc":"2.0","id":${JSON.stringify(message.id)}}`;
}
