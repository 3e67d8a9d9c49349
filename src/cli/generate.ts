import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { BEHAVIOURS, FORMATS, PRESETS, generateFiles, resolveOptions, type ScenarioOptions } from '../generator/index.ts';

export const GENERATE_USAGE = `  relaywatch generate --out DIR [--preset demo|easy|realistic|hard] [--seed N] [--hosts N] [--days N]
                      [--start YYYY-MM-DD] [--incidents N] [--mix b1,b2,...] [--noise X] [--formats f1,f2,...]
                      [--difficulty easy|realistic|hard] [--campaign-hosts N]

  Writes a deterministic training scenario: logs in every requested format, inventory/assets.csv and
  answer-key.json. Formats: ${FORMATS.join(', ')} (default: all but ecs, aws and pcap, which
  re-express the Zeek traffic as an Elastic export, as VPC Flow Logs + Route 53 Resolver logs and as one packet
  capture; w3c is a TLS-inspecting proxy: full HTTPS URLs).
  --campaign-hosts N runs one bot/webhook/repository incident again on N more hosts: a multi-host campaign.
  Behaviours: ${BEHAVIOURS.join(', ')}.`;

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));
const int = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, not '${v}'`);
  return n;
};

/** `relaywatch generate`: streams a scenario to disk chunk by chunk, so big ones never sit in memory whole. */
export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      preset: { type: 'string' },
      seed: { type: 'string' },
      hosts: { type: 'string' },
      days: { type: 'string' },
      start: { type: 'string' },
      incidents: { type: 'string' },
      mix: { type: 'string' },
      noise: { type: 'string' },
      formats: { type: 'string' },
      difficulty: { type: 'string' },
      'campaign-hosts': { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out DIR is required');
  if (values.preset !== undefined && !(values.preset in PRESETS)) {
    throw new Error(`--preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const preset = values.preset as keyof typeof PRESETS | undefined;
  const given: Partial<ScenarioOptions> = {};
  const set = <K extends keyof ScenarioOptions>(key: K, value: ScenarioOptions[K] | undefined) => {
    if (value !== undefined) given[key] = value;
  };
  set('seed', int('seed', values.seed));
  set('hosts', int('hosts', values.hosts));
  set('days', int('days', values.days));
  set('incidents', int('incidents', values.incidents));
  set('campaignHosts', int('campaign-hosts', values['campaign-hosts']));
  set('startDate', values.start);
  set('mix', list(values.mix) as ScenarioOptions['mix'] | undefined);
  set('formats', list(values.formats) as ScenarioOptions['formats'] | undefined);
  set('difficulty', values.difficulty as ScenarioOptions['difficulty'] | undefined);
  if (values.noise !== undefined) set('noise', Number(values.noise));
  const options = resolveOptions({ ...(preset ? PRESETS[preset] : {}), ...given });

  const root = resolve(values.out);
  const streams = new Map<string, WriteStream>();
  const started = Date.now();
  let bytes = 0;
  for (const chunk of generateFiles(options)) {
    let stream = streams.get(chunk.name);
    if (!stream) {
      const path = join(root, chunk.name);
      await mkdir(dirname(path), { recursive: true });
      stream = createWriteStream(path);
      streams.set(chunk.name, stream);
    }
    const data = chunk.bytes ? chunk.bytes : chunk.text;
    bytes += data.length;
    if (!stream.write(data)) await once(stream, 'drain');
  }
  await Promise.all([...streams.values()].map((s) => new Promise((done) => s.end(done))));
  process.stderr.write(
    `relaywatch: wrote ${streams.size} files (${(bytes / 1048576).toFixed(1)} MiB) to ${root} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}
