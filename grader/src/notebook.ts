/**
 * Notebooks as the grader sees them: the shared nbformat v4 model (kernel/src/notebook/format.ts)
 * with nbgrader's cell metadata (schema version 3) typed.
 */
import * as format from '../../kernel/src/notebook/format';
import type { CellType } from '../../kernel/src/notebook/format';

export type { CellType, DataOutput, ErrorOutput, KernelspecMetadata, Output, StreamOutput } from '../../kernel/src/notebook/format';
export { NotebookFormatError, serializeNotebook } from '../../kernel/src/notebook/format';

/** nbgrader cell metadata, schema version 3 (nbgrader/nbgraderformat/v3.json). */
export interface NbgraderMetadata {
  schema_version: number;
  grade: boolean;
  solution: boolean;
  locked: boolean;
  task?: boolean;
  grade_id?: string;
  points?: number;
  checksum?: string;
  cell_type?: CellType;
}


export interface CellMetadata extends format.CellMetadata {
  nbgrader?: NbgraderMetadata;
}

export interface Cell extends format.Cell {
  metadata: CellMetadata;
}

export interface Notebook extends format.Notebook {
  cells: Cell[];
}

/**
 * Parse a notebook file's text. Throws NotebookFormatError naming what is wrong, for text that
 * is not JSON or not an nbformat 4 notebook. nbgrader's metadata is read as it stands; the
 * steps that rely on it check what they use.
 */
export const parseNotebook = (text: string): Notebook => format.parseNotebook(text) as Notebook;

/** A deep copy, so that each step can return a new notebook without touching its input. */
export const cloneNotebook = (nb: Notebook): Notebook => format.cloneNotebook(nb) as Notebook;
