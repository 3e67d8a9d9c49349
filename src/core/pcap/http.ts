/**
 * HTTP/1.x messages in one direction of a TCP stream: each message's start line and headers are parsed, bodies
 * are skipped by Content-Length or chunked framing without being kept, so a long keep-alive connection costs
 * no more memory than its longest header block.
 */
import { concat, latin1 } from './decode.ts';

export interface HttpHead {
  /** Request: method and target; response: status. */
  method: string | null;
  target: string | null;
  status: number | null;
  version: string;
  /** Header names lower-cased; the first occurrence wins. */
  headers: Map<string, string>;
}

const METHODS =
  /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|PATCH|TRACE|PROPFIND|PROPPATCH|MKCOL|COPY|MOVE|LOCK|UNLOCK) \S+ HTTP\/1\.[01]\r?\n/;
/** Longest header block read; a longer one ends parsing of that direction. */
const MAX_HEAD_BYTES = 64 * 1024;

/** Does a client stream start with an HTTP/1.x request line? */
export function looksLikeHttpRequest(stream: Uint8Array): boolean {
  return METHODS.test(latin1(stream.subarray(0, 256)));
}

/**
 * Parses the messages of one direction as bytes arrive. `bodyless(head)` tells, for a response, whether it
 * cannot have a body (a reply to HEAD, 1xx, 204, 304); the reader of the other direction knows the request.
 */
export class HttpStream {
  /** Messages are no longer followed (a body runs to the end of the connection, or framing was broken). */
  stopped = false;
  private pending: Uint8Array = new Uint8Array(0);
  private state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailer' = 'head';
  private remaining = 0;

  constructor(
    private readonly onMessage: (head: HttpHead) => void,
    private readonly bodyless: (head: HttpHead) => boolean = () => false,
  ) {}

  push(bytes: Uint8Array): void {
    let data = this.pending.length ? concat(this.pending, bytes) : bytes;
    this.pending = new Uint8Array(0);
    while (!this.stopped && data.length) {
      if (this.state === 'body' || this.state === 'chunk-data') {
        const n = Math.min(this.remaining, data.length);
        this.remaining -= n;
        data = data.subarray(n);
        if (this.remaining === 0) this.state = this.state === 'body' ? 'head' : 'chunk-size';
        continue;
      }
      const lineEnd = this.state === 'head' ? headEnd(data) : data.indexOf(0x0a);
      if (lineEnd < 0) {
        if (data.length > MAX_HEAD_BYTES) this.stopped = true;
        else this.pending = data.slice();
        return;
      }
      const text = latin1(data.subarray(0, lineEnd));
      data = data.subarray(lineEnd + 1);
      if (this.state === 'head') this.head(text);
      else if (this.state === 'chunk-size') this.chunkSize(text);
      else if (text.trim() === '') this.state = 'head'; // the blank line after the trailers
    }
  }

  /** `bytes` the capture did not keep (a snap length): skipped inside a body; anywhere else the framing is lost. */
  gap(bytes: number): void {
    const inBody = this.state === 'body' || this.state === 'chunk-data';
    if (!inBody || this.pending.length > 0 || bytes > this.remaining) {
      this.stopped = true;
      return;
    }
    this.remaining -= bytes;
    if (this.remaining === 0) this.state = this.state === 'body' ? 'head' : 'chunk-size';
  }

  private head(text: string): void {
    // Blank lines between messages are tolerated, as by servers.
    const lines = text.replace(/^(\r?\n)+/, '').split(/\r?\n/);
    const head = parseStartLine(lines[0]);
    if (!head) {
      this.stopped = true;
      return;
    }
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!head.headers.has(name)) head.headers.set(name, line.slice(colon + 1).trim());
    }
    // Asked before the message is handed on: the answer depends on the request it answers.
    const bodyless = head.status !== null && this.bodyless(head);
    this.onMessage(head);
    const chunked = /chunked/i.test(head.headers.get('transfer-encoding') ?? '');
    const length = Number(head.headers.get('content-length') ?? NaN);
    if (bodyless) this.state = 'head';
    else if (chunked) this.state = 'chunk-size';
    else if (Number.isSafeInteger(length) && length >= 0) {
      this.remaining = length;
      this.state = length > 0 ? 'body' : 'head';
    } else if (head.status !== null)
      this.stopped = true; // the body runs to the end of the connection
    else this.state = 'head';
  }

  private chunkSize(line: string): void {
    const size = parseInt(line.trim().split(';', 1)[0], 16);
    if (!Number.isSafeInteger(size) || size < 0) {
      this.stopped = true;
    } else if (size === 0) {
      this.state = 'trailer';
    } else {
      this.remaining = size + 2; // the data and its CRLF
      this.state = 'chunk-data';
    }
  }
}

function parseStartLine(line: string): HttpHead | null {
  const request = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(line.trimEnd());
  if (request) return { method: request[1], target: request[2], status: null, version: request[3], headers: new Map() };
  const response = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(line.trimEnd());
  if (response) return { method: null, target: null, status: Number(response[2]), version: response[1], headers: new Map() };
  return null;
}

/** Index of the last byte of the header block (the '\n' of the blank line), or -1 when it is not complete. */
function headEnd(data: Uint8Array): number {
  for (let i = data.indexOf(0x0a); i >= 0 && i < data.length; i = data.indexOf(0x0a, i + 1)) {
    if (data[i + 1] === 0x0a) return i + 1;
    if (data[i + 1] === 0x0d && data[i + 2] === 0x0a) return i + 2;
  }
  return -1;
}
