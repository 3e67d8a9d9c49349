import pkg from '../../package.json' with { type: 'json' };

/** Relaywatch's version, from package.json, as exports and reports state it. */
export const TOOL_VERSION: string = pkg.version;
