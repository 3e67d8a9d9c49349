import { request } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY as VITE_CONTENT_SECURITY_POLICY } from '../../vite.config.ts';
import { FAKE_INDEX_HTML, FAKE_WASM, makeFakeDist } from './fake-dist.ts';
import { CONTENT_SECURITY_POLICY, mimeTypeFor, parseArguments, safeRelativePath, startServer } from './serve.mjs';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends the request target exactly as given (fetch would normalise `/../` away). */
function rawRequest(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const SECRET = 'outside-the-root-secret';
let parent: string;
let root: string;
let running: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  // A file just outside the served folder, plus a symlink pointing at it, for the traversal checks.
  parent = mkdtempSync(join(tmpdir(), 'relaywatch-serve-parent-'));
  root = makeFakeDist(parent);
  writeFileSync(join(parent, 'secret.txt'), SECRET);
  symlinkSync(join(parent, 'secret.txt'), join(root, 'assets', 'link.txt'));
  running = await startServer({ root, port: 0 });
});

afterAll(async () => {
  await running?.close();
  rmSync(parent, { recursive: true, force: true });
});

describe('launcher policy', () => {
  it('sends exactly the Content-Security-Policy that vite preview sends', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(VITE_CONTENT_SECURITY_POLICY);
  });

  it('maps the types a DuckDB-WASM build needs', () => {
    expect(mimeTypeFor('a/duckdb-eh.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('worker.js')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('x.MJS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('s.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('i.svg')).toBe('image/svg+xml');
    expect(mimeTypeFor('c.json')).toBe('application/json; charset=utf-8');
    expect(mimeTypeFor('unknown.bin')).toBe('application/octet-stream');
  });

  it('turns request targets into root-relative paths or refuses them', () => {
    expect(safeRelativePath('/')).toBe('index.html');
    expect(safeRelativePath('/assets/a%20b.js?v=1#x')).toBe('assets/a b.js');
    expect(safeRelativePath('/assets/')).toBe('assets/index.html');
    for (const refused of ['/../x', '/%2e%2e/x', '/a/%2E%2E%2Fb', '/a%2f..%2f..%2fx', '//etc/passwd', 'http://evil/x', '*', '/a%00.js', '/..%5cx', '/C:/Windows/win.ini', '/%zz', '/.git/config', '/a//b']) {
      expect(safeRelativePath(refused), refused).toBeNull();
    }
  });

  it('parses --port, --root and --open and rejects anything else', () => {
    expect(parseArguments([], '/app')).toEqual({ port: 8765, root: '/app', open: false });
    expect(parseArguments(['--port', '0', '--open'], '/app')).toEqual({ port: 0, root: '/app', open: true });
    expect(parseArguments(['--port=9000', '--root=/srv/build'], '/app')).toEqual({ port: 9000, root: '/srv/build', open: false });
    expect(() => parseArguments(['--port', '70000'], '/app')).toThrow(/--port/);
    expect(() => parseArguments(['--port', 'x'], '/app')).toThrow(/--port/);
    expect(() => parseArguments(['--host', '0.0.0.0'], '/app')).toThrow(/unknown option --host/);
  });
});

describe('launcher server', () => {
  it('binds 127.0.0.1 and reports that address', () => {
    const address = running.server.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
    expect(running.port).toBe(address.port);
    expect(running.url).toBe(`http://127.0.0.1:${address.port}/`);
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startServer({ root, port: 0, host: '0.0.0.0' })).rejects.toThrow(/only 127\.0\.0\.1/);
  });

  it('moves to the next port when the requested one is busy', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as AddressInfo).port;
    const fallback = await startServer({ root, port: busyPort }).finally(() => blocker.close());
    try {
      expect(fallback.port).toBeGreaterThan(busyPort);
      expect(fallback.port).toBeLessThan(busyPort + 20);
    } finally {
      await fallback.close();
    }
  });

  it('serves index.html at / with the security headers', async () => {
    const response = await fetch(running.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(VITE_CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toBe(FAKE_INDEX_HTML);
  });

  it('serves .wasm byte-for-byte as application/wasm', async () => {
    const response = await fetch(`${running.url}assets/duckdb-eh-def456.wasm`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/wasm');
    expect(response.headers.get('content-security-policy')).toBe(VITE_CONTENT_SECURITY_POLICY);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(FAKE_WASM);
  });

  it('answers HEAD with headers only', async () => {
    const response = await rawRequest(running.port, '/assets/duckdb-eh-def456.wasm', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(FAKE_WASM.length));
    expect(response.body.length).toBe(0);
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])('refuses %s with 405', async (method) => {
    const response = await rawRequest(running.port, '/index.html', { method });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    `http://127.0.0.1/../secret.txt`,
    '//secret.txt',
    '/index.html%00.js',
    '/.%2e/secret.txt',
  ])('refuses traversal target %s', async (target) => {
    const response = await rawRequest(running.port, target);
    expect(response.status).toBe(400);
    expect(response.body.toString()).not.toContain(SECRET);
  });

  it('does not follow a symlink out of the root, list folders or serve unknown paths', async () => {
    const viaLink = await rawRequest(running.port, '/assets/link.txt');
    expect(viaLink.status).toBe(404);
    expect(viaLink.body.toString()).not.toContain(SECRET);
    const folder = await rawRequest(running.port, '/assets/');
    expect(folder.status).toBe(404);
    expect(folder.body.toString()).not.toContain('duckdb');
    expect((await rawRequest(running.port, '/missing.js')).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const response = await rawRequest(running.port, '/', { host: `attacker.example:${running.port}` });
    expect(response.status).toBe(421);
    expect(response.body.toString()).not.toContain('Relaywatch test build');
    expect((await rawRequest(running.port, '/', { host: `localhost:${running.port}` })).status).toBe(200);
  });
});
