/**
 * Deterministic training-scenario generator: runs unchanged in a Web Worker and in Node.
 * `generateFiles(options)` streams file chunks; `generateScenario(options)` collects them.
 */
export {
  ANSWER_KEY_FILE,
  DEFAULT_FORMATS,
  DIFFICULTY,
  FORMATS,
  INVENTORY_FILE,
  PRESETS,
  generateFiles,
  generateScenario,
  resolveOptions,
  type AnswerKey,
  type Difficulty,
  type FileChunk,
  type FormatId,
  type HardNegative,
  type Scenario,
  type ScenarioOptions,
} from './scenario.ts';
export { BEHAVIOURS, type AnswerKeyIncident, type BehaviourId } from './incidents.ts';
export { JITTER_MODELS, type JitterModel } from './jitter.ts';
