/** Byte streams → text lines: encoding detection (BOM, UTF-16 without BOM), line splitting, bounded line length. */

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Longest line kept; a longer one is rejected with its length instead of being buffered. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Detects the encoding of a file from its first bytes: a BOM, else NUL patterns typical of UTF-16 text. */
export function detectEncoding(head: Uint8Array): { encoding: TextEncodingName; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const n = Math.min(head.length, 4096) & ~1;
  if (n >= 4) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const pairs = n / 2;
    if (oddNul > pairs * 0.4 && evenNul < pairs * 0.05) return { encoding: 'utf-16le', bomLength: 0 };
    if (evenNul > pairs * 0.4 && oddNul < pairs * 0.05) return { encoding: 'utf-16be', bomLength: 0 };
  }
  return { encoding: 'utf-8', bomLength: 0 };
}

/** True when decoded text looks binary (NULs or many control characters), so no text adapter should see it. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  if (sample.length === 0) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
    if (c === 0xfffd) control++;
  }
  return control > sample.length * 0.1;
}

export interface Line {
  text: string;
  /** 1-based line number in the decoded file. */
  no: number;
  /** Set when the line exceeded MAX_LINE_CHARS; `text` then holds only its start. */
  overlongChars?: number;
}

/**
 * Splits decoded text chunks into lines (LF, CRLF or lone CR), never holding more than MAX_LINE_CHARS of one line.
 */
export class LineSplitter {
  private pending = '';
  private overlong = 0;
  private lineNo = 0;
  private lastWasCR = false;

  /** Lines completed by this chunk. */
  push(chunk: string): Line[] {
    const lines: Line[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10 || c === 13) {
        if (c === 10 && this.lastWasCR && i === start && this.pending === '' && this.overlong === 0) {
          // The LF of a CRLF whose CR ended the previous chunk or line.
          this.lastWasCR = false;
          start = i + 1;
          continue;
        }
        this.take(chunk, start, i);
        lines.push(this.finish());
        this.lastWasCR = c === 13;
        if (c === 13 && chunk.charCodeAt(i + 1) === 10) {
          i++;
          this.lastWasCR = false;
        }
        start = i + 1;
      }
    }
    if (start < chunk.length) {
      this.lastWasCR = false;
      this.take(chunk, start, chunk.length);
    }
    return lines;
  }

  /** The last line when the input does not end with a line break. */
  end(): Line[] {
    if (this.pending === '' && this.overlong === 0) return [];
    return [this.finish()];
  }

  private take(chunk: string, from: number, to: number) {
    if (this.overlong) {
      this.overlong += to - from;
      return;
    }
    if (this.pending.length + (to - from) > MAX_LINE_CHARS) {
      this.overlong = this.pending.length + (to - from);
      this.pending = (this.pending + chunk.slice(from, from + 200)).slice(0, 200);
      return;
    }
    this.pending += chunk.slice(from, to);
  }

  private finish(): Line {
    this.lineNo += 1;
    const line: Line = { text: this.pending, no: this.lineNo };
    if (this.overlong) line.overlongChars = this.overlong;
    this.pending = '';
    this.overlong = 0;
    return line;
  }
}
