/**
 * The steps that make a submission safe to grade, after nbgrader's autograde "sanitize" stage:
 * whatever a learner did to locked cells, test cells and nbgrader metadata, what runs is the
 * teacher's. Each change is noted in words the learner can act on.
 */
import { step } from '../pipeline';
import type { Cell, Notebook } from '../notebook';
import { computeChecksum, gradeId, isGrade, isLocked, isSolution, isTracked } from '../nbgrader';

export interface SubmissionNote {
  /** grade_id of the cell concerned, when there is one. */
  cell?: string;
  message: string;
}

export interface SanitizeContext {
  /** The source notebook after release's first half: solutions stubbed, hidden tests still in, checksums set. */
  reference: Notebook;
  /** The student version as released, to tell an untouched cell from a changed one. */
  released: Notebook;
  /** Put back graded cells the learner deleted (nbgrader's OverwriteCells.add_missing_cells). */
  restoreDeletedCells: boolean;
  notes: SubmissionNote[];
}

const byId = (nb: Notebook) => {
  const map = new Map<string, Cell>();
  for (const cell of nb.cells) {
    const id = gradeId(cell);
    if (id !== undefined && isTracked(cell)) map.set(id, cell);
  }
  return map;
};

/** nbgrader's DeduplicateIds: of cells sharing a grade_id, the last keeps it; the others lose their nbgrader metadata. */
export const deduplicateIds = step<SanitizeContext>('deduplicateIds', (nb, ctx) => {
  const seen = new Set<string>();
  for (let i = nb.cells.length - 1; i >= 0; i--) {
    const cell = nb.cells[i];
    const id = gradeId(cell);
    if (!(isGrade(cell) || isSolution(cell) || isLocked(cell)) || id === undefined) continue;
    if (seen.has(id)) {
      delete cell.metadata.nbgrader;
      ctx.notes.push({ cell: id, message: `Cell '${id}' appeared more than once (a copied cell?); only the last copy is graded.` });
    }
    seen.add(id);
  }
});

/** nbgrader's OverwriteKernelspec: the submission runs on the kernel the source was written for. */
export const overwriteKernelspec = step<SanitizeContext>('overwriteKernelspec', (nb, ctx) => {
  if (ctx.reference.metadata.kernelspec) nb.metadata.kernelspec = { ...ctx.reference.metadata.kernelspec };
});

/**
 * nbgrader's OverwriteCells, stricter: a tracked cell takes all its nbgrader metadata and type from
 * the source, and a locked cell (every test cell is locked) its source too — which also puts the
 * hidden tests back. Cells claiming a grade_id the source does not have lose their metadata, so
 * no one can add a graded cell of their own.
 */
export const restoreFromSource = step<SanitizeContext>('restoreFromSource', (nb, ctx) => {
  const reference = byId(ctx.reference);
  const released = byId(ctx.released);
  for (const cell of nb.cells) {
    const id = gradeId(cell);
    if (cell.metadata.nbgrader === undefined) continue;
    const original = id === undefined ? undefined : reference.get(id);
    if (original === undefined) {
      if (id !== undefined && isTracked(cell)) ctx.notes.push({ cell: id, message: `Cell '${id}' is not part of the assignment; it ran but was not graded.` });
      delete cell.metadata.nbgrader;
      continue;
    }
    if (cell.cell_type !== original.cell_type) {
      ctx.notes.push({ cell: id, message: `Cell '${id}' was changed from ${original.cell_type} to ${cell.cell_type}; it was changed back.` });
      cell.cell_type = original.cell_type;
      if (cell.cell_type === 'code') {
        cell.outputs = [];
        cell.execution_count = null;
      } else {
        delete cell.outputs;
        delete cell.execution_count;
      }
    }
    const sameMetadata = JSON.stringify(stripDerived(cell.metadata.nbgrader)) === JSON.stringify(stripDerived(original.metadata.nbgrader!));
    if (!sameMetadata) ctx.notes.push({ cell: id, message: `The grading settings of cell '${id}' were changed; the teacher's settings were used.` });
    cell.metadata.nbgrader = { ...original.metadata.nbgrader! };
    if (isLocked(original) && cell.source !== original.source) {
      // A hidden-test cell differs from the source by design: only a departure from the released text is a change.
      const releasedCell = released.get(id!);
      const untouched = releasedCell !== undefined && computeChecksum({ ...cell, metadata: releasedCell.metadata }) === releasedCell.metadata.nbgrader!.checksum;
      if (!untouched) {
        const what = isGrade(original) ? 'test cell' : 'read-only cell';
        ctx.notes.push({ cell: id, message: `The ${what} '${id}' was edited; your edits were ignored and the original cell was run.` });
      }
      cell.source = original.source;
    }
  }
});

const stripDerived = (m: object) => {
  const { checksum: _c, cell_type: _t, ...rest } = m as Record<string, unknown>;
  return Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
};

/**
 * Graded cells missing from the submission: noted (they score zero, as in nbgrader), or put back
 * after the nearest preceding source cell that is present when `restoreDeletedCells` is set.
 */
export const handleDeletedCells = step<SanitizeContext>('handleDeletedCells', (nb, ctx) => {
  const present = byId(nb);
  const sourceCells = ctx.reference.cells;
  sourceCells.forEach((original, index) => {
    const id = gradeId(original);
    if (id === undefined || !isTracked(original) || present.has(id)) return;
    const graded = isGrade(original);
    if (!ctx.restoreDeletedCells) {
      if (graded) ctx.notes.push({ cell: id, message: `The ${isSolution(original) ? 'answer' : 'test'} cell '${id}' was deleted from the notebook, so it scores 0. Restore it from the released notebook and submit again.` });
      else if (isLocked(original)) ctx.notes.push({ cell: id, message: `The read-only cell '${id}' was deleted from the notebook; cells after it may fail without it.` });
      return;
    }
    let at = 0;
    for (let j = index - 1; j >= 0; j--) {
      const prevId = gradeId(sourceCells[j]);
      const prev = prevId === undefined ? undefined : present.get(prevId);
      if (prev) {
        at = nb.cells.indexOf(prev) + 1;
        break;
      }
    }
    const restored = structuredClone(original);
    nb.cells.splice(at, 0, restored);
    present.set(id, restored);
    ctx.notes.push({ cell: id, message: `Cell '${id}' was deleted from the notebook; it was put back from the assignment and graded.` });
  });
});
