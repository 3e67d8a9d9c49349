import { describe, expect, it } from 'vitest';
import { HttpStream, looksLikeHttpRequest, type HttpHead } from './http.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

function feed(parts: (string | number)[], bodyless?: (head: HttpHead) => boolean) {
  const heads: HttpHead[] = [];
  const stream = new HttpStream((h) => heads.push(h), bodyless);
  for (const part of parts) {
    if (typeof part === 'number') stream.gap(part);
    else stream.push(bytes(part));
  }
  return { heads, stopped: stream.stopped };
}

describe('HttpStream', () => {
  it('finds each request whatever the segment boundaries, skipping Content-Length bodies', () => {
    const text = 'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbodyGET /b HTTP/1.0\nHost: h2\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const parts = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(feed(parts).heads.map((h) => [h.method, h.target, h.headers.get('host')])).toEqual([
        ['POST', '/a', 'h'],
        ['GET', '/b', 'h2'],
      ]);
    }
  });

  it('skips a body the capture did not keep (snap length), and loses its place on a gap in a header', () => {
    expect(
      feed(['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nab', 998, 'HTTP/1.1 204 No Content\r\n\r\n']).heads.map((h) => h.status),
    ).toEqual([200, 204]);
    expect(feed(['HTTP/1.1 200 OK\r\nConte', 10]).stopped).toBe(true);
  });

  it('stops at a body that runs to the end of the connection, and at what is not HTTP', () => {
    expect(feed(['HTTP/1.0 200 OK\r\n\r\n<html>', 'HTTP/1.1 200 OK\r\n\r\n'])).toMatchObject({ stopped: true });
    expect(feed(['SSH-2.0-OpenSSH_9.2\r\n\r\n']).stopped).toBe(true);
  });

  it('recognises a request line at the start of a stream', () => {
    expect(looksLikeHttpRequest(bytes('GET / HTTP/1.1\r\n'))).toBe(true);
    expect(looksLikeHttpRequest(bytes('\x16\x03\x01'))).toBe(false);
  });
});
