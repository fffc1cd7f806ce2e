import { describe, expect, it } from 'vitest';
import { SseDecoder, SseLineTooLongError } from './sse';

/** Feeds `text` cut at every given position (or every character). */
function decodeIn(pieces: string[]): string[] {
  const d = new SseDecoder();
  const out = pieces.flatMap((p) => d.push(p));
  return [...out, ...d.end()].map((e) => e.data);
}

const STREAM = 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\r\n\r\ndata: [DONE]\n\n';

describe('SseDecoder', () => {
  it('decodes data events, skips comments, handles \\n and \\r\\n', () => {
    expect(decodeIn([STREAM])).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
  });

  it('gives the same events however the network cuts the text (even inside \\r\\n)', () => {
    const whole = decodeIn([STREAM]);
    expect(decodeIn([...STREAM])).toEqual(whole);
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(decodeIn([STREAM.slice(0, cut), STREAM.slice(cut)]), `cut at ${cut}`).toEqual(whole);
    }
  });

  it('joins multi-line data with \\n, takes "data:" without a space, and reads the event name', () => {
    const d = new SseDecoder();
    expect(d.push('event: error\ndata:line1\ndata: line2\n\n')).toEqual([{ event: 'error', data: 'line1\nline2' }]);
  });

  it('dispatches a last event that the server closed without a blank line', () => {
    expect(decodeIn(['data: {"x":1}'])).toEqual(['{"x":1}']);
    expect(decodeIn(['data: {"x":1}\n'])).toEqual(['{"x":1}']);
  });

  it('ignores blank lines without data and unknown fields', () => {
    expect(decodeIn(['\n\nid: 3\nretry: 10\n\n'])).toEqual([]);
  });

  it('refuses a line longer than its limit, even when it arrives in small pieces', () => {
    const d = new SseDecoder(100);
    expect(() => {
      for (let i = 0; i < 20; i++) d.push('data: xxxxxxxxxx');
    }).toThrow(SseLineTooLongError);
  });
});
