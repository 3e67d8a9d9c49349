import { Gunzip, Unzip, UnzipInflate } from 'fflate';
import { streamDigest } from './digest.ts';

/** One logical input: a plain file, or a member of an archive, as a stream of raw bytes. */
export interface ByteSource {
  name: string;
  chunks: AsyncIterable<Uint8Array>;
  /**
   * Archive members only: SHA-256 of the member's uncompressed bytes, once all of them were inflated (the next
   * member started or the archive ended); undefined before. Plain and gzip files are hashed as supplied by the caller.
   */
  sha256?: () => string | undefined;
}

/** Limits that keep a hostile archive from exhausting the machine. */
export const ARCHIVE_LIMITS = {
  /** Decompressed bytes per compressed byte above which (and past `minBytesForRatio`) an archive is refused. */
  maxRatio: 250,
  minBytesForRatio: 64 * 1024 * 1024,
  /** Decompressed bytes of one archive, all members together. */
  maxTotalBytes: 32 * 1024 * 1024 * 1024,
  maxMembers: 10_000,
};

export class ArchiveError extends Error {}

type Event = { kind: 'start'; name: string; sha256: () => string | undefined } | { kind: 'data'; chunk: Uint8Array } | { kind: 'end' };

const GZIP_MAGIC = [0x1f, 0x8b];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * Recognises gzip and zip by their magic bytes (not the file name) and yields one ByteSource per member.
 * Archives are decompressed as a stream; members are yielded in order and must be consumed in order.
 */
export async function* expandContainers(name: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ByteSource> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    yield { name, chunks: (async function* () {})() };
    return;
  }
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  })();
  if (startsWith(head, GZIP_MAGIC)) {
    const inner = name.replace(/\.gz$/i, '') || name;
    yield* expandContainers(inner, gunzipStream(rest, name));
  } else if (startsWith(head, ZIP_MAGIC)) {
    yield* unzipMembers(name, rest);
  } else {
    yield { name, chunks: rest };
  }
}

/** Decompressed bytes of a gzip stream (concatenated members included), with the bomb limits applied. */
async function* gunzipStream(chunks: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let finished = false;
  const gunzip = new Gunzip((data, final) => {
    out.push(data);
    if (final) finished = true;
  });
  const guard = new BombGuard(name);
  let produced = false;
  for await (const chunk of chunks) {
    guard.compressed(chunk.length);
    try {
      gunzip.push(chunk, false);
    } catch (error) {
      throw new ArchiveError(`${name}: the gzip data is corrupt (${(error as Error).message}).`);
    }
    while (out.length) {
      const data = out.shift()!;
      guard.decompressed(data.length);
      produced ||= data.length > 0;
      yield data;
    }
  }
  if (!finished) {
    try {
      gunzip.push(new Uint8Array(0), true);
    } catch {
      throw new ArchiveError(
        produced
          ? `${name}: the gzip file is truncated; the records before the cut were loaded.`
          : `${name}: the gzip file is truncated before any complete data; nothing could be read.`,
      );
    }
  }
  while (out.length) yield out.shift()!;
}

async function* unzipMembers(name: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ByteSource> {
  // fflate reports members strictly in order: a member's start, its data, its end, then the next member.
  const events: Event[] = [];
  let members = 0;
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/')) return;
    members += 1;
    if (members > ARCHIVE_LIMITS.maxMembers) throw new ArchiveError(`${name}: more than ${ARCHIVE_LIMITS.maxMembers} members.`);
    // Hashed as fflate inflates it, so a member the reader stops early is still hashed whole.
    const digest = streamDigest();
    const member: Event = { kind: 'start', name: `${name}/${file.name}`, sha256: () => undefined };
    events.push(member);
    file.ondata = (error, data, final) => {
      if (error) throw new ArchiveError(`${name}/${file.name}: ${error.message}`);
      digest.update(data);
      events.push({ kind: 'data', chunk: data });
      if (final) {
        const hex = digest.hex();
        member.sha256 = () => hex;
        events.push({ kind: 'end' });
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const guard = new BombGuard(name);
  const iterator = chunks[Symbol.asyncIterator]();
  let inputDone = false;
  /** Pushes the next compressed chunk into the unzipper; false once the input is exhausted. */
  const feed = async (): Promise<boolean> => {
    if (inputDone) return false;
    const r = await iterator.next();
    try {
      if (r.done) {
        inputDone = true;
        unzip.push(new Uint8Array(0), true);
      } else {
        guard.compressed(r.value.length);
        unzip.push(r.value, false);
      }
    } catch (error) {
      if (error instanceof ArchiveError) throw error;
      throw new ArchiveError(`${name}: the zip data is corrupt (${(error as Error).message}).`);
    }
    return true;
  };

  for (;;) {
    while (events.length === 0) if (!(await feed())) return;
    const start = events.shift()!;
    if (start.kind !== 'start') continue;
    let ended = false;
    const memberChunks = (async function* () {
      for (;;) {
        while (events.length && events[0].kind !== 'start') {
          const e = events.shift()!;
          if (e.kind === 'end') {
            ended = true;
            return;
          }
          if (e.kind === 'data') {
            guard.decompressed(e.chunk.length);
            yield e.chunk;
          }
        }
        if (events.length) return; // the next member began: this one had no explicit end
        if (!(await feed())) throw new ArchiveError(`${start.name}: the zip member is truncated.`);
      }
    })();
    yield { name: start.name, chunks: memberChunks, sha256: () => start.sha256() };
    // A consumer that stopped early (e.g. an unrecognised member) must not leave its bytes in the queue.
    if (!ended) for await (const _ of memberChunks) void _;
  }
}

class BombGuard {
  private compressedBytes = 0;
  private decompressedBytes = 0;
  constructor(private readonly name: string) {}
  compressed(n: number) {
    this.compressedBytes += n;
  }
  decompressed(n: number) {
    this.decompressedBytes += n;
    if (this.decompressedBytes > ARCHIVE_LIMITS.maxTotalBytes) {
      throw new ArchiveError(`${this.name}: expands to more than ${ARCHIVE_LIMITS.maxTotalBytes} bytes; refused as a possible archive bomb.`);
    }
    if (
      this.decompressedBytes > ARCHIVE_LIMITS.minBytesForRatio &&
      this.decompressedBytes > ARCHIVE_LIMITS.maxRatio * Math.max(1, this.compressedBytes)
    ) {
      throw new ArchiveError(
        `${this.name}: expands more than ${ARCHIVE_LIMITS.maxRatio}× (${this.decompressedBytes} bytes from ${this.compressedBytes}); refused as a possible archive bomb.`,
      );
    }
  }
}
