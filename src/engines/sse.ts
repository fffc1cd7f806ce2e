/**
 * Server-sent events (text/event-stream) decoding for the server engine, as
 * the HTML spec describes it: `field: value` lines, events dispatched at a
 * blank line, `:` comments (keep-alives) ignored, `data:` lines of one event
 * joined with "\n". Pure and incremental: feed text chunks exactly as the
 * network cut them (a line may be split anywhere, even inside "\r\n").
 *
 * Linear in the input: each chunk is scanned once, and the unfinished line
 * grows by string concatenation, which V8 keeps as a rope until the line is
 * read, so a long line delivered a byte at a time is never re-copied
 * (sse.linear.test.ts measures it).
 */

/** One dispatched event. `event` is '' when the stream named none (the usual case). */
export interface SseEvent {
  event: string;
  data: string;
}

/** A line longer than the decoder accepts (a hostile or broken server). */
export class SseLineTooLongError extends Error {
  override name = 'SseLineTooLongError';
  constructor(readonly limitChars: number) {
    super(`A server-sent event line exceeded ${limitChars} characters.`);
  }
}

/**
 * Longest line (in UTF-16 units) accepted by default: 1 Mi. An OpenAI chunk
 * line carries a few tokens (well under 1 KB); the cap is what keeps a server
 * that sends megabytes without a newline from growing memory without bound.
 */
export const DEFAULT_MAX_SSE_LINE_CHARS = 1024 * 1024;

export class SseDecoder {
  /** The unfinished line (V8 concatenates into a rope: appending is O(piece), not O(line)). */
  private pending = '';
  /** The previous chunk ended with "\r": a "\n" at the start of the next one belongs to it. */
  private afterCr = false;
  private data: string[] = [];
  private hasData = false;
  private event = '';

  constructor(private readonly maxLineChars = DEFAULT_MAX_SSE_LINE_CHARS) {}

  /**
   * Feeds one chunk of decoded text.
   * @returns the events completed by it, in order.
   * @throws SseLineTooLongError when a line grows past the limit.
   */
  push(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    if (this.afterCr && chunk.startsWith('\n')) start = 1;
    this.afterCr = false;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.pending + chunk.slice(start, i);
      this.pending = '';
      this.line(line, out);
      if (c === 13) {
        if (i + 1 < chunk.length) {
          if (chunk.charCodeAt(i + 1) === 10) i++;
        } else {
          this.afterCr = true;
        }
      }
      start = i + 1;
    }
    if (start < chunk.length) {
      this.pending += chunk.slice(start);
      if (this.pending.length > this.maxLineChars) throw new SseLineTooLongError(this.maxLineChars);
    }
    return out;
  }

  /**
   * The stream ended: an event that had data but no closing blank line is
   * dispatched (lenient: some servers close right after the last `data:`).
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.pending) {
      const line = this.pending;
      this.pending = '';
      this.line(line, out);
    }
    this.line('', out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.hasData) out.push({ event: this.event, data: this.data.join('\n') });
      this.data = [];
      this.hasData = false;
      this.event = '';
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment, e.g. a keep-alive */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'event') {
      this.event = value;
    }
    // id and retry matter for EventSource reconnection, which a POST stream never does.
  }
}
