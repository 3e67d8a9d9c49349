/**
 * Guided triage playbooks as data: one JSON file per kind of finding (src/playbooks/data/), each a list of
 * steps naming the evidence to fetch and how to read it, plus what would confirm or refute each explanation.
 * This module validates them, picks one for a finding, and imports/exports them as JSON.
 */
import apiC2 from './data/api-c2.json';
import beacon from './data/beacon.json';
import deadDropResolver from './data/dead-drop-resolver.json';
import generic from './data/generic.json';
import serverToConsumer from './data/server-to-consumer.json';
import tunnel from './data/tunnel.json';
import uploadExfiltration from './data/upload-exfiltration.json';
import type { Finding } from '../detection/detect.ts';

/** The declarative evidence queries a step may name; evidence.ts implements each. */
export const EVIDENCE_IDS = [
  'initiator', 'process-tree', 'approval', 'peers', 'timing', 'volume', 'first-seen', 'dns', 'corroboration', 'url-paths',
] as const;
export type EvidenceId = (typeof EVIDENCE_IDS)[number];

export const HYPOTHESES = ['user-driven', 'application-driven', 'possibly-compromised'] as const;
export type Hypothesis = (typeof HYPOTHESES)[number];
export const HYPOTHESIS_LABELS: Record<Hypothesis, string> = {
  'user-driven': 'User-driven',
  'application-driven': 'Application-driven',
  'possibly-compromised': 'Possibly compromised host',
};

export interface PlaybookStep {
  id: string;
  title: string;
  evidence: EvidenceId;
  /** How to read the evidence. */
  read: string;
}

export interface Playbook {
  format: 'relaywatch.playbook';
  version: 1;
  id: string;
  title: string;
  /** Lower wins when several playbooks apply. */
  priority: number;
  applies_to: { signals: string[]; categories: string[] };
  summary: string;
  steps: PlaybookStep[];
  hypotheses: Record<Hypothesis, { confirm: string[]; refute: string[] }>;
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_TEXT = 2000;
const MAX_ITEMS = 50;

type Issues = string[];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(value: unknown, where: string, issues: Issues): string {
  if (typeof value !== 'string' || !value.trim()) {
    issues.push(`${where}: needs text`);
    return '';
  }
  if (value.length > MAX_TEXT) issues.push(`${where}: longer than ${MAX_TEXT} characters`);
  return value;
}

function texts(value: unknown, where: string, issues: Issues, allowEmpty = true): string[] {
  if (!Array.isArray(value) || value.length > MAX_ITEMS || (!allowEmpty && value.length === 0)) {
    issues.push(`${where}: needs a list of at most ${MAX_ITEMS} texts`);
    return [];
  }
  return value.map((v, i) => text(v, `${where}[${i}]`, issues));
}

/**
 * Checks a playbook of unknown shape and rebuilds it from the known fields only (so keys like __proto__
 * in imported JSON never reach an object). Returns the playbook or the list of problems.
 */
export function parsePlaybook(value: unknown): Playbook | Issues {
  const issues: Issues = [];
  if (!isRecord(value)) return ['playbook: not a JSON object'];
  const id = typeof value.id === 'string' && ID.test(value.id) ? value.id : '';
  const where = `playbook '${id || '?'}'`;
  if (!id) issues.push(`${where}: id must be lower-case kebab-case`);
  if (value.format !== 'relaywatch.playbook' || value.version !== 1) issues.push(`${where}: format must be relaywatch.playbook version 1`);
  const title = text(value.title, `${where} title`, issues);
  const summary = text(value.summary, `${where} summary`, issues);
  const priority = typeof value.priority === 'number' && Number.isFinite(value.priority) ? value.priority : (issues.push(`${where}: priority must be a number`), 0);
  const applies = isRecord(value.applies_to) ? value.applies_to : (issues.push(`${where}: applies_to missing`), {});
  const appliesTo = { signals: texts(applies.signals, `${where} applies_to.signals`, issues), categories: texts(applies.categories, `${where} applies_to.categories`, issues) };
  const rawSteps = Array.isArray(value.steps) && value.steps.length > 0 && value.steps.length <= MAX_ITEMS ? value.steps : (issues.push(`${where}: needs 1 to ${MAX_ITEMS} steps`), []);
  const stepIds = new Set<string>();
  const steps: PlaybookStep[] = rawSteps.map((raw: unknown, i: number) => {
    const at = `${where} step ${i + 1}`;
    const s = isRecord(raw) ? raw : (issues.push(`${at}: not an object`), {} as Record<string, unknown>);
    const stepId = typeof s.id === 'string' && ID.test(s.id) ? s.id : (issues.push(`${at}: id must be kebab-case`), '');
    if (stepIds.has(stepId)) issues.push(`${at}: duplicate id ${stepId}`);
    stepIds.add(stepId);
    const evidence = EVIDENCE_IDS.includes(s.evidence as EvidenceId) ? (s.evidence as EvidenceId) : (issues.push(`${at}: evidence must be one of ${EVIDENCE_IDS.join(', ')}`), 'initiator');
    return { id: stepId, title: text(s.title, `${at} title`, issues), evidence, read: text(s.read, `${at} read`, issues) };
  });
  const rawHypotheses = isRecord(value.hypotheses) ? value.hypotheses : (issues.push(`${where}: hypotheses missing`), {} as Record<string, unknown>);
  const hypotheses = {} as Playbook['hypotheses'];
  for (const h of HYPOTHESES) {
    const entry = isRecord(rawHypotheses[h]) ? (rawHypotheses[h] as Record<string, unknown>) : (issues.push(`${where}: hypothesis ${h} missing`), {} as Record<string, unknown>);
    hypotheses[h] = { confirm: texts(entry.confirm, `${where} ${h}.confirm`, issues, false), refute: texts(entry.refute, `${where} ${h}.refute`, issues, false) };
  }
  if (issues.length) return issues;
  return { format: 'relaywatch.playbook', version: 1, id, title, priority, applies_to: appliesTo, summary, steps, hypotheses };
}

/** The playbooks shipped with Relaywatch, by priority. */
export function shippedPlaybooks(): Playbook[] {
  return [deadDropResolver, uploadExfiltration, tunnel, apiC2, beacon, serverToConsumer, generic]
    .map((raw) => {
      const parsed = parsePlaybook(structuredClone(raw));
      if (Array.isArray(parsed)) throw new Error(parsed.join('\n'));
      return parsed;
    })
    .sort((a, b) => a.priority - b.priority);
}

/**
 * The playbook for a finding: the highest-priority one whose signals fired, else one whose service category
 * matches, else one that names neither (the generic playbook).
 */
export function selectPlaybook(playbooks: readonly Playbook[], finding: Pick<Finding, 'signals' | 'service'>): Playbook | null {
  const byPriority = [...playbooks].sort((a, b) => a.priority - b.priority);
  const fired = new Set(finding.signals.map((s) => s.id));
  return (
    byPriority.find((p) => p.applies_to.signals.some((s) => fired.has(s))) ??
    byPriority.find((p) => finding.service && p.applies_to.categories.includes(finding.service.category)) ??
    byPriority.find((p) => !p.applies_to.signals.length && !p.applies_to.categories.length) ??
    null
  );
}

/** Playbooks as one JSON document. */
export function exportPlaybooks(playbooks: readonly Playbook[]): string {
  return JSON.stringify({ format: 'relaywatch.playbooks', version: 1, playbooks }, null, 2) + '\n';
}

const MAX_IMPORT_CHARS = 2_000_000;

/** Reads an exported bundle or a single playbook; ids must be unique. */
export function importPlaybooks(json: string): { playbooks: Playbook[]; issues: string[] } {
  if (json.length > MAX_IMPORT_CHARS) return { playbooks: [], issues: [`file is larger than ${MAX_IMPORT_CHARS} characters`] };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { playbooks: [], issues: [`not JSON: ${(error as Error).message}`] };
  }
  const list = isRecord(value) && value.format === 'relaywatch.playbooks' && Array.isArray(value.playbooks) ? value.playbooks : [value];
  const playbooks: Playbook[] = [];
  const issues: string[] = [];
  for (const raw of list.slice(0, MAX_ITEMS)) {
    const parsed = parsePlaybook(raw);
    if (Array.isArray(parsed)) issues.push(...parsed);
    else if (playbooks.some((p) => p.id === parsed.id)) issues.push(`playbook '${parsed.id}': listed twice`);
    else playbooks.push(parsed);
  }
  if (list.length > MAX_ITEMS) issues.push(`only the first ${MAX_ITEMS} playbooks were read`);
  return { playbooks, issues };
}
