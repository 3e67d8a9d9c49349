// Types for serve.mjs, which stays plain JavaScript so it runs from the release zip without node_modules.
import type { Server } from 'node:http';

export declare const CONTENT_SECURITY_POLICY: string;
export declare const DEFAULT_PORT: number;

/** MIME type (with charset for text) for a file name, by extension. */
export declare function mimeTypeFor(filePath: string): string;

/** Request target to a root-relative path, or null when it must be refused. */
export declare function safeRelativePath(target: string | undefined): string | null;

/** Parses the launcher's command-line flags. */
export declare function parseArguments(
  args: string[],
  defaultRoot: string,
): { port: number; root: string; open: boolean };

/** Serves `root` on a loopback address; resolves once listening. */
export declare function startServer(options: {
  root: string;
  port?: number;
  host?: string;
}): Promise<{ server: Server; url: string; port: number; close: () => Promise<void> }>;
