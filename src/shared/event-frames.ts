/** One Server-Sent Events frame of `/api/events` or a streamed run: its `event:` and `data:` lines. */
export interface EventFrame {
  event: string;
  data: string;
}

/**
 * Splits a Server-Sent Events stream into frames, whatever the chunks it arrives in; comments
 * (keep-alives) are skipped. Shared by the renderer and the desktop shell, which follow the hub alike.
 */
export class EventFrameReader {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  /** The frames that this chunk completes, in order. */
  read(chunk: Uint8Array): EventFrame[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const frames: EventFrame[] = [];
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (block.startsWith(':')) continue;
      frames.push({ event: /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message', data: /^data: ?(.*)$/m.exec(block)?.[1] ?? '' });
    }
    return frames;
  }
}
