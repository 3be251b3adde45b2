/**
 * nbgrader's reading of cell metadata, ported line for line from nbgrader 0.9 (`nbgrader/utils.py`,
 * `nbgrader/nbgraderformat/v3.py`), so that a notebook means the same to `tsdl grade` as to
 * nbgrader: the same cells are graded, locked and checksummed, and checksums match byte for byte.
 */
import { createHash } from 'node:crypto';
import type { Cell, Notebook, Output } from './notebook';

export const NBGRADER_SCHEMA_VERSION = 3;

/** nbgrader returns the raw metadata value from these predicates, and hashes `str()` of it. */
type Flag = unknown;

const meta = (cell: Cell) => cell.metadata.nbgrader as Record<string, unknown> | undefined;

export function gradeFlag(cell: Cell): Flag {
  return meta(cell)?.grade ?? false;
}
export function solutionFlag(cell: Cell): Flag {
  return meta(cell)?.solution ?? false;
}
export function taskFlag(cell: Cell): Flag {
  return meta(cell)?.task ?? false;
}
/** Solution cells are never locked; grade (test) cells always are; others when marked read-only. */
export function lockedFlag(cell: Cell): Flag {
  const m = meta(cell);
  if (m === undefined) return false;
  if (truthy(solutionFlag(cell))) return false;
  if (truthy(gradeFlag(cell))) return true;
  return m.locked ?? false;
}

/** Python truthiness for JSON values. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

export const isGrade = (cell: Cell) => truthy(gradeFlag(cell));
export const isSolution = (cell: Cell) => truthy(solutionFlag(cell));
export const isLocked = (cell: Cell) => truthy(lockedFlag(cell));
export const isTask = (cell: Cell) => truthy(taskFlag(cell));
/** A cell nbgrader tracks by grade_id. */
export const isTracked = (cell: Cell) => isGrade(cell) || isSolution(cell) || isLocked(cell) || isTask(cell);

export const gradeId = (cell: Cell): string | undefined => meta(cell)?.grade_id as string | undefined;

/** Python's `float()` applied to a points value, as nbgrader does. */
export function maxPoints(cell: Cell): number {
  const raw = meta(cell)?.points;
  const value = typeof raw === 'number' ? raw : parsePythonFloat(String(raw));
  if (value === null) throw new Error(`cell '${gradeId(cell)}' has points ${JSON.stringify(raw)}, which is not a number`);
  return value;
}

/**
 * Python's `repr(float)` (which `str(float)` equals): the shortest round-trip digits, as in
 * JavaScript, but scientific notation below 1e-4 and from 1e16 on, two-digit exponents, and a
 * trailing ".0" on whole numbers.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exponent = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${m}e${exponent < 0 ? '-' : '+'}${e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const frac = digits.slice(exponent + 1);
  return `${sign}${whole}.${frac === '' ? '0' : frac}`;
}

/** Python's `str()` of a metadata flag: the checksum hashes "True"/"False", not "true". */
function pythonStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pythonFloatRepr(v);
  return String(v);
}

/**
 * Python's `float(text)`: surrounding whitespace, underscores between digits, "inf", "nan" and
 * "infinity" in any case; null where Python raises ValueError.
 */
export function parsePythonFloat(text: string): number | null {
  const t = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  const digits = String.raw`\d(?:_?\d)*`;
  const re = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (!re.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** nbgrader's `compute_checksum`: MD5 over source, type, the three flags, grade_id and points. */
export function computeChecksum(cell: Cell): string {
  const m = meta(cell);
  if (m === undefined || typeof m.grade_id !== 'string') {
    throw new Error('nbgrader computes checksums only for cells with nbgrader metadata and a grade_id');
  }
  const md5 = createHash('md5');
  md5.update(cell.source, 'utf8');
  md5.update(cell.cell_type, 'utf8');
  md5.update(pythonStr(gradeFlag(cell)), 'utf8');
  md5.update(pythonStr(solutionFlag(cell)), 'utf8');
  md5.update(pythonStr(lockedFlag(cell)), 'utf8');
  md5.update(m.grade_id, 'utf8');
  if (isGrade(cell)) md5.update(pythonFloatRepr(maxPoints(cell)), 'utf8');
  return md5.digest('hex');
}

/** A problem with a notebook's nbgrader metadata, worded for the teacher who wrote it. */
export class MetadataError extends Error {
  override name = 'MetadataError';
}

const ALLOWED_KEYS = new Set(['schema_version', 'grade', 'locked', 'solution', 'task', 'grade_id', 'points', 'checksum', 'cell_type']);

/** nbgrader's v3 validation (`MetadataValidatorV3.validate_nb`): what `generate_assignment` refuses. */
export function validateNbgraderMetadata(nb: Notebook): void {
  const ids = new Set<string>();
  nb.cells.forEach((cell, i) => {
    const m = meta(cell);
    if (m === undefined) return;
    const where = `cell ${i + 1}${typeof m.grade_id === 'string' ? ` ('${m.grade_id}')` : ''}`;
    if (m.schema_version !== NBGRADER_SCHEMA_VERSION) {
      throw new MetadataError(`${where} has nbgrader schema_version ${JSON.stringify(m.schema_version)}; expected 3 (run \`nbgrader update\` on older notebooks)`);
    }
    for (const key of Object.keys(m)) {
      if (!ALLOWED_KEYS.has(key)) throw new MetadataError(`${where} has an unknown nbgrader metadata key '${key}'`);
    }
    for (const key of ['grade', 'solution', 'locked'] as const) {
      if (typeof m[key] !== 'boolean') throw new MetadataError(`${where}: nbgrader.${key} must be true or false`);
    }
    if (m.task !== undefined && typeof m.task !== 'boolean') throw new MetadataError(`${where}: nbgrader.task must be true or false`);
    const { grade, solution, locked } = m;
    const task = m.task === true;
    if (grade || solution || locked) {
      if (typeof m.grade_id !== 'string') throw new MetadataError(`${where} is an nbgrader cell without a grade_id`);
      if (m.grade_id === '') throw new MetadataError(`${where} has an empty grade_id`);
      if (!/^[a-zA-Z0-9_-]*$/.test(m.grade_id)) {
        throw new MetadataError(`${where}: grade_id may contain only letters, digits, '_' and '-'`);
      }
      if (ids.has(m.grade_id)) throw new MetadataError(`duplicate grade_id '${m.grade_id}' (${where}); each graded cell needs its own id`);
      ids.add(m.grade_id);
    }
    if (grade && (typeof m.points !== 'number' || m.points < 0)) {
      throw new MetadataError(`${where} is a grade cell and needs points: a number of at least 0`);
    }
    if (!task) {
      if (cell.cell_type === 'markdown' && grade && !solution) throw new MetadataError(`${where} is a markdown grade cell but not marked as a solution`);
      if (cell.cell_type === 'markdown' && !grade && solution) throw new MetadataError(`${where} is a markdown solution cell but not marked as a grade cell`);
    } else if (cell.cell_type !== 'markdown') {
      throw new MetadataError(`${where} is a task cell; task cells have to be markdown`);
    }
  });
}

/**
 * nbgrader's `determine_grade` for one cell: [score, max]. Score null means "a person grades
 * this". For an autograded test cell: zero at the first error output or stderr stream; a numeric
 * execute_result is partial credit; otherwise full marks.
 */
export function determineGrade(cell: Cell): { score: number | null; max: number; warning?: string } {
  const max = maxPoints(cell);
  if (isSolution(cell)) {
    const checksum = meta(cell)?.checksum;
    return { score: checksum !== undefined && checksum === computeChecksum(cell) ? 0 : null, max };
  }
  if (cell.cell_type !== 'code') return { score: null, max };
  for (const output of cell.outputs ?? []) {
    if (output.output_type === 'error' || (output.output_type === 'stream' && output.name === 'stderr')) return { score: 0, max };
    if (output.output_type === 'execute_result') return partialGrade(output, max);
  }
  return { score: max, max };
}

/** nbgrader's `get_partial_grade`, except that an out-of-range value scores 0 instead of crashing. */
function partialGrade(output: Extract<Output, { data: unknown }>, max: number): { score: number; max: number; warning?: string } {
  const text = output.data['text/plain'];
  if (typeof text !== 'string' || text === '') return { score: max, max, warning: 'the test cell returned a value with no text form; counted as full credit' };
  const value = parsePythonFloat(text);
  if (value === null) return { score: max, max };
  if (value >= 0) {
    if (value > max) {
      return { score: 0, max, warning: `the test cell returned ${text} as partial credit, more than its ${max} points (nbgrader stops with an error here); fix the test cell` };
    }
    return { score: value, max };
  }
  // NaN and negative numbers: full credit, as nbgrader gives.
  return { score: max, max, warning: `the test cell returned ${text}, which is not a partial credit between 0 and ${max}; counted as full credit` };
}
