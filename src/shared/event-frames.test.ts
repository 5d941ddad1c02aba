import { describe, expect, it } from 'vitest';
import { EventFrameReader } from './event-frames.js';

describe('EventFrameReader', () => {
  it('gives whole frames however the stream is cut, skipping keep-alives', () => {
    const reader = new EventFrameReader();
    const bytes = new TextEncoder().encode(': connected\n\nevent: change\ndata: {}\n\nevent: approval\ndata: {"tool":"send","arguments":{"to":"é"}}\n\n: keep-alive\n\n');
    const frames = [];
    // Cut everywhere, even inside a multi-byte character.
    for (let i = 0; i < bytes.length; i += 7) frames.push(...reader.read(bytes.slice(i, i + 7)));
    expect(frames).toEqual([
      { event: 'change', data: '{}' },
      { event: 'approval', data: '{"tool":"send","arguments":{"to":"é"}}' },
    ]);
  });

  it('calls a frame without an event line a message, as SSE does', () => {
    expect(new EventFrameReader().read(new TextEncoder().encode('data: [DONE]\n\n'))).toEqual([{ event: 'message', data: '[DONE]' }]);
  });
});
