/**
 * The teacher's grades to and from nbgrader's gradebook database, for a course that uses both
 * tools: formgrader's manual scores and comments are nbgrader's Grade.manual_score and
 * Comment.manual_comment. Written through nbgrader's own Python API (nbgrader.api.Gradebook), so
 * the database stays what nbgrader expects; the submissions must already be in it (nbgrader's
 * autograde puts them there). After an import, the caller rewrites gradebook and feedback.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { MANUAL_FILE, MANUAL_FORMAT, readManual, readResults, writeFileAtomic, type ManualGrades } from './results';

/** Reads a request on stdin, answers JSON on stdout; errors name the submission and cell. */
const SCRIPT = String.raw`
import json, sys
from nbgrader.api import Gradebook, MissingEntry
req = json.load(sys.stdin)
out = {"cells": {}, "missing": []}
with Gradebook(req["url"]) as gb:
    for sub in req["submissions"]:
        student, notebook, assignment = sub["student"], sub["notebook"], req["assignment"]
        try:
            gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            out["missing"].append(student)
            continue
        got = out["cells"].setdefault(student, {})
        for cell in sub["cells"]:
            gid = cell["gradeId"]
            try:
                grade = gb.find_grade(gid, notebook, assignment, student)
            except MissingEntry:
                grade = None
            try:
                comment = gb.find_comment(gid, notebook, assignment, student)
            except MissingEntry:
                comment = None
            if req["direction"] == "export":
                if grade is not None and "score" in cell:
                    grade.manual_score = cell["score"]
                if comment is not None and "comment" in cell:
                    comment.manual_comment = cell["comment"]
            else:
                entry = {}
                if grade is not None and grade.manual_score is not None:
                    entry["score"] = grade.manual_score
                if comment is not None and comment.manual_comment:
                    entry["comment"] = comment.manual_comment
                if entry:
                    got[gid] = entry
    gb.db.commit()
print(json.dumps(out))
`;

interface SyncReply {
  cells: Record<string, Record<string, { score?: number; comment?: string }>>;
  missing: string[];
}

export function defaultPython(): string {
  const venv = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

function runPython(python: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // nbgrader runs its database migrations with the \`alembic\` command installed beside it.
    const bin = path.isAbsolute(python) ? path.dirname(python) : undefined;
    const env = bin ? { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` } : process.env;
    const child = spawn(python, ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new Error(`cannot run ${python}: ${e.message}; pass --python with a Python that has nbgrader installed`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`nbgrader's gradebook could not be ${/No module named 'nbgrader'/.test(err) ? `opened: ${python} has no nbgrader; pass --python with one that has` : `updated:\n${err.trim().split('\n').slice(-3).join('\n')}`}`));
    });
    child.stdin.end(input);
  });
}

export async function syncNbgrader(
  dir: string,
  db: string,
  direction: 'export' | 'import',
  opts: { assignment?: string; python?: string } = {},
): Promise<{ submissions: number; cells: number }> {
  if (!existsSync(db)) throw new Error(`no nbgrader gradebook at ${db}; run nbgrader's autograde in the course folder first (it creates gradebook.db)`);
  const { results } = await readResults(dir);
  if (results.length === 0) throw new Error(`no results in ${dir}; run tsdl grade autograde first`);
  const assignment = opts.assignment ?? results[0].assignment ?? path.basename(results[0].notebook, '.ipynb');
  const submissions = [];
  for (const r of results) {
    const manual = await readManual(dir, r.submission);
    const cells = r.cells.map((c) => {
      const given = manual?.cells[c.gradeId];
      return { gradeId: c.gradeId, ...(given?.score !== undefined ? { score: given.score } : {}), ...(given?.comment !== undefined ? { comment: given.comment } : {}) };
    });
    if (direction === 'import' || cells.some((c) => 'score' in c || 'comment' in c)) {
      submissions.push({ student: r.submission, notebook: path.basename(r.notebook, '.ipynb'), cells });
    }
  }
  const reply = JSON.parse(await runPython(opts.python ?? defaultPython(), JSON.stringify({ url: `sqlite:///${path.resolve(db)}`, assignment, direction, submissions }))) as SyncReply;
  if (reply.missing.length) {
    throw new Error(`${reply.missing.join(', ')} ${reply.missing.length === 1 ? 'is' : 'are'} not in ${db} for assignment "${assignment}"; run nbgrader's autograde for them (or pass --assignment)`);
  }
  let count = 0;
  if (direction === 'export') {
    for (const s of submissions) count += s.cells.filter((c) => 'score' in c || 'comment' in c).length;
    return { submissions: submissions.length, cells: count };
  }
  for (const [student, cells] of Object.entries(reply.cells)) {
    if (Object.keys(cells).length === 0) continue;
    const manual: ManualGrades = (await readManual(dir, student)) ?? { format: MANUAL_FORMAT, cells: {} };
    const now = new Date().toISOString();
    for (const [id, given] of Object.entries(cells)) {
      manual.cells[id] = { ...manual.cells[id], ...given, gradedAt: now };
      count++;
    }
    await writeFileAtomic(path.join(dir, student, MANUAL_FILE), JSON.stringify(manual, null, 2) + '\n');
  }
  return { submissions: Object.keys(reply.cells).length, cells: count };
}
