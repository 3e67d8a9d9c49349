#!/usr/bin/env node
// Relaywatch offline launcher: serves the built app (the `app/` folder next to this file) on loopback only.
// Plain JavaScript with Node built-ins only, so it runs from the unpacked release with no node_modules.
// Usage: node serve.mjs [--port 8765] [--root <folder>] [--open]
import { createServer } from 'node:http';
import { createReadStream, realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Must equal CONTENT_SECURITY_POLICY in vite.config.ts (a unit test checks it). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const DEFAULT_PORT = 8765;
const PORT_ATTEMPTS = 20;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);
const MAX_URL_LENGTH = 4096;

const MIME_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.wasm', 'application/wasm'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.woff2', 'font/woff2'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.md', 'text/markdown; charset=utf-8'],
  ['.csv', 'text/csv; charset=utf-8'],
]);

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  // A new release in the same folder must not mix with cached chunks of the old one.
  'Cache-Control': 'no-cache',
};

/** @param {string} filePath */
export function mimeTypeFor(filePath) {
  return MIME_TYPES.get(extname(filePath).toLowerCase()) ?? 'application/octet-stream';
}

/**
 * Turns a request target into a path relative to the served root, or null when it must be refused:
 * absolute-form or authority-form targets, `//` prefixes, NUL, backslashes, colons, `.`/`..` or hidden segments
 * (checked after percent-decoding, so `%2e%2e` and `%2f` tricks are caught), malformed escapes.
 * @param {string | undefined} target
 * @returns {string | null}
 */
export function safeRelativePath(target) {
  if (!target || target.length > MAX_URL_LENGTH || !target.startsWith('/') || target.startsWith('//')) return null;
  const rawPath = target.split(/[?#]/, 1)[0];
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  // ':' covers Windows drive letters and alternate data streams; built asset names never contain it.
  if (/[\0\\:]/.test(decoded)) return null;
  const segments = decoded.split('/').slice(1);
  if (segments.some((segment, index) => segment.startsWith('.') || (segment === '' && index < segments.length - 1))) return null;
  const relativePath = segments.join('/');
  return relativePath === '' || relativePath.endsWith('/') ? `${relativePath}index.html` : relativePath;
}

/** @param {string} rootReal @param {string} candidate */
function isInside(rootReal, candidate) {
  const rel = relative(rootReal, candidate);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** @param {import('node:http').ServerResponse} response @param {number} status @param {string} message @param {Record<string,string>} [extraHeaders] */
function sendText(response, status, message, extraHeaders = {}) {
  const body = `${message}\n`;
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extraHeaders,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

/**
 * Resolves a request to a regular file under the root; symlinks are followed only if they stay inside it.
 * @param {string} rootReal @param {string} relativePath
 */
async function resolveFile(rootReal, relativePath) {
  try {
    let fileReal = await realpath(join(rootReal, relativePath));
    let info = await stat(fileReal);
    if (info.isDirectory()) {
      // A directory is only ever answered with its index.html, never a listing.
      fileReal = await realpath(join(fileReal, 'index.html'));
      info = await stat(fileReal);
    }
    return isInside(rootReal, fileReal) && info.isFile() ? { path: fileReal, size: info.size } : null;
  } catch {
    return null;
  }
}

/** @param {string | undefined} hostHeader @param {number} port */
function isLocalHostHeader(hostHeader, port) {
  // Refusing other Host names keeps DNS-rebinding pages from reading the app through this port.
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}` || hostHeader === `[::1]:${port}`;
}

/** @param {import('node:http').Server} server @param {number} port @param {string} host @returns {Promise<void>} */
function listenOnce(server, port, host) {
  return new Promise((resolveListen, rejectListen) => {
    const onError = (/** @type {Error} */ error) => {
      server.off('listening', onListening);
      rejectListen(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Starts the static server. Port 0 asks the OS for a free port; any other busy port falls back to the next ones.
 * @param {{ root: string, port?: number, host?: string }} options
 * @returns {Promise<{ server: import('node:http').Server, url: string, port: number, close: () => Promise<void> }>}
 */
export async function startServer({ root, port = DEFAULT_PORT, host = '127.0.0.1' }) {
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`refusing to listen on ${host}: only 127.0.0.1 or ::1`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${port}`);
  const rootReal = realpathSync(resolve(root));
  let boundPort = 0;

  const server = createServer(async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    if (!isLocalHostHeader(request.headers.host, boundPort)) {
      sendText(response, 421, 'Unexpected Host header');
      return;
    }
    const relativePath = safeRelativePath(request.url);
    if (relativePath === null) {
      sendText(response, 400, 'Bad request path');
      return;
    }
    const file = await resolveFile(rootReal, relativePath);
    if (!file) {
      sendText(response, 404, 'Not found');
      return;
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': mimeTypeFor(file.path), 'Content-Length': file.size });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  });

  const lastPort = port === 0 ? 0 : Math.min(port + PORT_ATTEMPTS - 1, 65535);
  for (let candidate = port; ; candidate += 1) {
    try {
      await listenOnce(server, candidate, host);
      break;
    } catch (error) {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (code !== 'EADDRINUSE' || candidate >= lastPort) throw error;
    }
  }
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  boundPort = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${boundPort}/`;
  const close = () =>
    new Promise((resolveClose, rejectClose) => {
      server.close((error) => (error ? rejectClose(error) : resolveClose(undefined)));
      server.closeAllConnections();
    });
  return { server, url, port: boundPort, close };
}

/**
 * Parses `--port N`, `--root DIR`, `--open` (also `--port=N` / `--root=DIR`).
 * @param {string[]} args
 * @param {string} defaultRoot
 */
export function parseArguments(args, defaultRoot) {
  const options = { port: DEFAULT_PORT, root: defaultRoot, open: false };
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inlineValue] = args[index].split(/=(.*)/s, 2);
    const takeValue = () => inlineValue ?? args[++index];
    if (flag === '--open') options.open = true;
    else if (flag === '--port') {
      const value = takeValue();
      if (!/^\d{1,5}$/.test(value ?? '') || Number(value) > 65535) throw new Error(`--port needs a number 0-65535, got ${value}`);
      options.port = Number(value);
    } else if (flag === '--root') {
      const value = takeValue();
      if (!value) throw new Error('--root needs a folder');
      options.root = resolve(value);
    } else throw new Error(`unknown option ${flag}; usage: node serve.mjs [--port 8765] [--root <folder>] [--open]`);
  }
  return options;
}

/** Opens the local address in the default browser; only ever the loopback URL we just bound. @param {string} url */
function openInBrowser(url) {
  const command = process.platform === 'win32' ? 'explorer.exe' : process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log(`Could not open a browser automatically; open ${url} yourself.`));
  child.unref();
}

async function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  let options;
  try {
    options = parseArguments(process.argv.slice(2), join(here, 'app'));
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exit(2);
  }
  const { url, close } = await startServer({ root: options.root, port: options.port });
  console.log(`Relaywatch is running at ${url}`);
  console.log('Open that address in Chromium or Firefox. It serves on this machine only; nothing is sent anywhere.');
  console.log('Press Ctrl+C to stop.');
  if (options.open) openInBrowser(url);
  const stop = () => close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** True when Node was started on this file, false when a test or another module imports it. */
function isEntryPoint() {
  try {
    return Boolean(process.argv[1]) && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((error) => {
    console.error(`Could not start Relaywatch: ${error.message}`);
    process.exit(1);
  });
}
