/**
 * The course side of grading: an assignment's due date and late penalty, when each learner
 * submitted, and the gradebook CSV a course keeps (one row per submission: assignment, learner,
 * times, late penalty, raw and final score, then each exercise and each graded cell).
 *
 * Settings live in `assignment.json` in the autograded folder, written by `autograde --config`
 * or `gradebook --config` from a course file that maps assignment names to settings:
 *
 *   { "ps1": { "due": "2026-12-14T17:00:00Z",
 *              "latePenalty": { "percentPerDay": 10, "maxPercent": 50, "graceMinutes": 15 } },
 *     "learners": { "ada": { "name": "Ada Lovelace", "email": "ada@example.org" } } }
 *
 * ("learners", optional, is the roster: names for the gradebook, by submission id.)
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SubmissionResult } from './results';

export interface LatePenaltyRule {
  /** Percent of the points earned taken off per day late, or part of a day. */
  percentPerDay: number;
  /** The most taken off, in percent (default 100: a very late submission scores 0). */
  maxPercent?: number;
  /** Minutes after the due time that still count as on time (default 0). */
  graceMinutes?: number;
}

export interface AssignmentSettings {
  /** The assignment's name in the gradebook (default: the source notebook's name). */
  name?: string;
  /** ISO 8601 with a time zone, e.g. "2026-12-14T17:00:00Z". */
  due?: string;
  /** Without one, late submissions are marked late but lose nothing. */
  latePenalty?: LatePenaltyRule;
  /** The course's roster, by submission id (the learner's folder name). */
  learners?: Record<string, Learner>;
}

export interface Learner {
  name?: string;
  email?: string;
}

export interface LateSubmission {
  minutesLate: number;
  /** Percent of the earned points taken off. */
  percent: number;
  /** Points taken off. */
  penalty: number;
}

export const SETTINGS_FILE = 'assignment.json';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check settings read from a file; the error names the file and the fix. */
export function validateSettings(raw: unknown, where: string): AssignmentSettings {
  if (!isObject(raw)) throw new Error(`${where} must be an object like {"due": "2026-12-14T17:00:00Z", "latePenalty": {"percentPerDay": 10}}`);
  const known = new Set(['name', 'due', 'latePenalty', 'learners']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw new Error(`${where} has an unknown setting "${key}"; expected name, due, latePenalty or learners`);
  const out: AssignmentSettings = {};
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name === '') throw new Error(`${where}.name must be a non-empty string`);
    out.name = raw.name;
  }
  if (raw.due !== undefined) {
    if (typeof raw.due !== 'string' || !/(Z|[+-]\d\d:?\d\d)$/.test(raw.due) || Number.isNaN(Date.parse(raw.due))) {
      throw new Error(`${where}.due must be an ISO 8601 time with a time zone, like "2026-12-14T17:00:00Z" or "2026-12-14T18:00:00+01:00"; got ${JSON.stringify(raw.due)}`);
    }
    out.due = new Date(raw.due).toISOString();
  }
  if (raw.latePenalty !== undefined) {
    const p = raw.latePenalty;
    if (!isObject(p)) throw new Error(`${where}.latePenalty must be an object like {"percentPerDay": 10, "maxPercent": 50}`);
    const pct = (key: string, max: number) => {
      const v = p[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !(v >= 0 && v <= max)) throw new Error(`${where}.latePenalty.${key} must be a number from 0 to ${max}; got ${JSON.stringify(v)}`);
      return v;
    };
    const percentPerDay = pct('percentPerDay', 100);
    if (percentPerDay === undefined) throw new Error(`${where}.latePenalty needs percentPerDay (percent of the earned points taken off per day late)`);
    out.latePenalty = { percentPerDay };
    const maxPercent = pct('maxPercent', 100);
    if (maxPercent !== undefined) out.latePenalty.maxPercent = maxPercent;
    const graceMinutes = pct('graceMinutes', 7 * 24 * 60);
    if (graceMinutes !== undefined) out.latePenalty.graceMinutes = graceMinutes;
  }
  if (raw.learners !== undefined) out.learners = validateRoster(raw.learners, `${where}.learners`);
  return out;
}

function validateRoster(raw: unknown, where: string): Record<string, Learner> {
  if (!isObject(raw)) throw new Error(`${where} must map submission ids to learners, like {"ada": {"name": "Ada Lovelace", "email": "ada@example.org"}}`);
  const out: Record<string, Learner> = {};
  for (const [id, v] of Object.entries(raw)) {
    if (!isObject(v) || Object.entries(v).some(([k, x]) => !['name', 'email'].includes(k) || typeof x !== 'string')) {
      throw new Error(`${where}.${id} must be {"name": "...", "email": "..."} (both optional, both text)`);
    }
    out[id] = v as Learner;
  }
  return out;
}

/** The settings of the assignment graded into `dir`, if it has any. */
export async function readSettings(dir: string): Promise<AssignmentSettings | undefined> {
  const file = path.join(dir, SETTINGS_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  return validateSettings(JSON.parse(text), file);
}

/** One assignment's settings from a course file (assignment name -> settings). */
export async function readCourseConfig(file: string, assignment: string): Promise<AssignmentSettings> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the course file ${file}: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new Error(`${file} must map assignment names to settings, like {"ps1": {"due": "2026-12-14T17:00:00Z"}}`);
  if (raw[assignment] === undefined) throw new Error(`${file} has no settings for assignment "${assignment}" (it has ${Object.keys(raw).filter((k) => k !== 'learners').map((k) => JSON.stringify(k)).join(', ') || 'none'}); add them, or name the assignment with --assignment`);
  const learners = raw.learners === undefined ? undefined : validateRoster(raw.learners, `${file}: "learners"`);
  return { name: assignment, ...validateSettings(raw[assignment], `${file}: "${assignment}"`), ...(learners ? { learners } : {}) };
}

export async function writeSettings(dir: string, settings: AssignmentSettings): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, SETTINGS_FILE), JSON.stringify(settings, null, 2) + '\n');
}

/** The late penalty of a submission, or undefined when it is on time (or there is no due date). */
export function latePenalty(submittedAt: string, settings: AssignmentSettings, earned: number): LateSubmission | undefined {
  if (settings.due === undefined) return undefined;
  const grace = settings.latePenalty?.graceMinutes ?? 0;
  const minutesLate = (Date.parse(submittedAt) - Date.parse(settings.due)) / 60_000;
  if (!(minutesLate > grace)) return undefined;
  const rule = settings.latePenalty;
  const days = Math.ceil(minutesLate / (24 * 60));
  const percent = rule ? Math.min(rule.maxPercent ?? 100, days * rule.percentPerDay) : 0;
  return { minutesLate: Math.round(minutesLate), percent, penalty: Math.round(earned * percent) / 100 };
}

/**
 * When a submission was handed in: nbgrader's exchange writes `timestamp.txt` beside the notebook
 * ("2026-12-07 03:37:12.123456 UTC"); otherwise the notebook file's modification time.
 */
export async function submissionTime(file: string): Promise<string | undefined> {
  const stamp = await fs.readFile(path.join(path.dirname(file), 'timestamp.txt'), 'utf8').catch(() => undefined);
  if (stamp !== undefined) {
    const parsed = parseNbgraderTimestamp(stamp);
    if (parsed !== undefined) return parsed;
  }
  const stat = await fs.stat(file).catch(() => undefined);
  return stat?.mtime.toISOString();
}

export function parseNbgraderTimestamp(text: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?\s*(UTC|Z|[+-]\d\d:?\d\d)?\s*$/.exec(text.trim());
  if (!m) return undefined;
  const ms = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  const zone = m[4] === undefined || m[4] === 'UTC' || m[4] === 'Z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const t = Date.parse(`${m[1]}T${m[2]}${ms}${zone}`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const csvField = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * One row per submission: the assignment, the learner, when they submitted, the due date, how
 * late and the penalty, raw and final score, then each exercise's points (named by its title) and
 * each graded cell's (by grade_id), then notes. Scores are the final ones, the teacher's included.
 */
export function gradebookCsv(results: SubmissionResult[]): string {
  const ids: string[] = [];
  const exercises: string[] = [];
  for (const r of results) {
    for (const c of r.cells) if (!ids.includes(c.gradeId)) ids.push(c.gradeId);
    for (const e of r.exercises ?? []) if (!exercises.includes(e.title)) exercises.push(e.title);
  }
  const header = ['assignment', 'submission', 'name', 'email', 'notebook', 'status', 'submitted_at', 'due_at', 'minutes_late', 'late_penalty', 'raw_score', 'score', 'max_score', 'needs_manual_grade', ...exercises, ...ids, 'notes'];
  const rows = results.map((r) => {
    const byId = new Map(r.cells.map((c) => [c.gradeId, c.score]));
    const byExercise = new Map((r.exercises ?? []).map((e) => {
      const cells = r.cells.filter((c) => e.gradeIds.includes(c.gradeId));
      return [e.title, cells.some((c) => c.score === null) ? null : round(cells.reduce((n, c) => n + (c.score ?? 0), 0))];
    }));
    return [
      r.assignment ?? path.basename(r.notebook, '.ipynb'),
      r.submission,
      r.learner?.name,
      r.learner?.email,
      r.notebook,
      r.status,
      r.submittedAt,
      r.dueAt,
      r.late?.minutesLate ?? (r.dueAt ? 0 : ''),
      r.late?.penalty ?? (r.dueAt ? 0 : ''),
      r.rawScore ?? r.score,
      r.score,
      r.maxScore,
      r.needsManualGrade,
      ...exercises.map((t) => byExercise.get(t) ?? ''),
      ...ids.map((id) => byId.get(id) ?? ''),
      [r.problem, ...r.notes.map((n) => n.message)].filter(Boolean).join(' | '),
    ];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}
