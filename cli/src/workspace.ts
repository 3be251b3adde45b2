/**
 * The learner's workspace (`learn/`, ignored by git): where `tsdl lab` opens JupyterLab. It holds
 * the student version of every chapter, released from the teacher's notebooks in notebooks/, and
 * is the learner's from then on: no file in it is ever overwritten with anything the learner
 * wrote. When a chapter is new or changed, its student version arrives beside the learner's copy
 * and UPDATES.md says so.
 *
 * What was released is recorded in `.tsdl-workspace.json` (JupyterLab hides dot files): for each
 * chapter the hash of its student version, and for each file the hash of what was written into
 * it, so that a copy the learner never edited can be told from one they worked in.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseNotebook, serializeNotebook, type Notebook } from '../../grader/src/notebook';
import { releaseNotebook } from '../../grader/src/release';

export const MANIFEST = '.tsdl-workspace.json';
export const MANIFEST_FORMAT = 'tsdl-workspace/1';
/** The link to the teacher's notebooks inside the workspace. */
export const TEACHER_LINK = 'teacher';
export const UPDATES = 'UPDATES.md';

export interface ChapterRecord {
  /** The file (in the workspace) that holds the latest student version released. */
  file: string;
  /** sha256 of the latest student version's cells (type and source), see {@link contentHash}. */
  student: string;
  /** The teacher notebook's `metadata.tsdl.source_sha256`, when it has one. */
  source?: string;
  releasedAt: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** The teacher's notebooks the workspace was filled from; `tsdl grade reveal` reads solutions there. */
  teacherDir: string;
  /** By chapter name (the teacher notebook's file name without .ipynb). */
  chapters: Record<string, ChapterRecord>;
  /** By workspace file: the chapter and the student version's hash written into it. */
  files: Record<string, { chapter: string; student: string; beside?: string }>;
}

export interface WorkspaceOptions {
  /** The teacher's notebooks (notebooks/). */
  teacherDir: string;
  /** The workspace (learn/). */
  dir: string;
  /** The student version of a teacher's notebook. Default: `tsdl grade release`'s. */
  release?: (teacher: Notebook) => Promise<Notebook>;
  now?: () => Date;
}

export type WorkspaceEvent =
  | { kind: 'added'; chapter: string; file: string }
  | { kind: 'restored'; chapter: string; file: string }
  | { kind: 'updated-in-place'; chapter: string; file: string }
  | { kind: 'arrived-beside'; chapter: string; file: string; yours: string };

export interface WorkspaceResult {
  /** The workspace did not exist (or had no manifest) before. */
  created: boolean;
  events: WorkspaceEvent[];
  /** Chapters that could not be released (the rest were): what went wrong with each. */
  problems: string[];
}

/**
 * What a learner's edits change: each cell's type and source. Outputs, execution counts and the
 * metadata JupyterLab writes on save are left out, so a copy that was only run still counts as
 * unedited.
 */
export function contentHash(nb: Notebook): string {
  const h = createHash('sha256');
  for (const cell of nb.cells) h.update(cell.cell_type).update('\0').update(cell.source).update('\0\0');
  return h.digest('hex');
}

const defaultRelease = async (teacher: Notebook) => (await releaseNotebook(teacher)).released;

async function readManifest(dir: string): Promise<Manifest | undefined> {
  const file = path.join(dir, MANIFEST);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<Manifest>;
  if (parsed.format !== MANIFEST_FORMAT || typeof parsed.chapters !== 'object' || typeof parsed.files !== 'object') {
    throw new Error(`${file} is not a tsdl workspace manifest (format ${JSON.stringify(parsed.format)}). Move it away and run again; no notebook is overwritten.`);
  }
  return parsed as Manifest;
}

async function hashOfFile(file: string): Promise<string | undefined> {
  try {
    return contentHash(parseNotebook(await fs.readFile(file, 'utf8')));
  } catch {
    // Missing, or not a notebook any more: either way not an unedited copy.
    return undefined;
  }
}

/** A free name beside `NAME.ipynb` for a newer version: `NAME.new-2026-12-07.ipynb`, then `-2`, … */
export function besideName(chapter: string, date: Date, taken: (name: string) => boolean): string {
  const day = date.toISOString().slice(0, 10);
  for (let n = 1; ; n++) {
    const name = `${chapter}.new-${day}${n === 1 ? '' : `-${n}`}.ipynb`;
    if (!taken(name)) return name;
  }
}

/**
 * Fill the workspace on first use, and bring new or changed chapters in afterwards without
 * overwriting a learner's work:
 * - a chapter never released here goes to `NAME.ipynb` (or beside it, if that name is taken);
 * - a chapter whose student version changed replaces the old copy only if that copy is unedited
 *   (same cells as released), else arrives beside it as `NAME.new-DATE.ipynb`;
 * - a chapter's copy that the learner deleted comes back fresh (how to start a chapter over).
 * Also writes README.md, tsconfig.json and the `teacher` link when they are missing.
 */
export async function syncWorkspace(opts: WorkspaceOptions): Promise<WorkspaceResult> {
  const release = opts.release ?? defaultRelease;
  const now = (opts.now ?? (() => new Date()))();
  await fs.mkdir(opts.dir, { recursive: true });
  const previous = await readManifest(opts.dir);
  const manifest: Manifest = previous ?? { format: MANIFEST_FORMAT, teacherDir: '', chapters: {}, files: {} };
  manifest.teacherDir = path.resolve(opts.teacherDir);
  const events: WorkspaceEvent[] = [];
  const problems: string[] = [];
  const exists = (name: string) => existsSync(path.join(opts.dir, name));

  const chapters = (await fs.readdir(opts.teacherDir)).filter((f) => f.endsWith('.ipynb')).sort();
  for (const teacherFile of chapters) {
    const chapter = teacherFile.replace(/\.ipynb$/, '');
    let teacher: Notebook;
    let student: Notebook;
    try {
      teacher = parseNotebook(await fs.readFile(path.join(opts.teacherDir, teacherFile), 'utf8'));
      student = await release(teacher);
    } catch (e) {
      // One broken chapter (a teacher's notebook mid-edit) must not keep the learner out of the rest.
      problems.push(`${teacherFile} was not brought into the workspace: its student version could not be made (${(e as Error).message}).`);
      continue;
    }
    const hash = contentHash(student);
    const record = manifest.chapters[chapter];
    const write = async (file: string, event: WorkspaceEvent['kind'], extra: { yours?: string } = {}) => {
      // A version that arrives beside the learner's copy says so at its top, where they look
      // first, and keeps saying so when it is itself updated.
      const beside = extra.yours ?? manifest.files[file]?.beside;
      const written = beside ? withArrivalNote(student, beside, now) : student;
      await fs.writeFile(path.join(opts.dir, file), serializeNotebook(written));
      const source = (teacher.metadata.tsdl as { source_sha256?: unknown } | undefined)?.source_sha256;
      manifest.chapters[chapter] = { file, student: hash, ...(typeof source === 'string' ? { source } : {}), releasedAt: now.toISOString() };
      // What the file held as written, so that an unedited copy is recognised later.
      manifest.files[file] = { chapter, student: contentHash(written), ...(beside ? { beside } : {}) };
      events.push({ kind: event, chapter, file, ...extra } as WorkspaceEvent);
    };

    if (record === undefined) {
      // Never released here. A file of that name the learner made (or one whose manifest was
      // lost) stays; if it already holds exactly this version, it is simply adopted.
      if (!exists(teacherFile)) await write(teacherFile, 'added');
      else if ((await hashOfFile(path.join(opts.dir, teacherFile))) === hash) {
        manifest.chapters[chapter] = { file: teacherFile, student: hash, releasedAt: now.toISOString() };
        manifest.files[teacherFile] = { chapter, student: hash };
      } else await write(besideName(chapter, now, exists), 'arrived-beside', { yours: teacherFile });
      continue;
    }
    // A chapter with no copy left here (the learner deleted it to start over) gets a fresh one;
    // a copy the learner deleted while another remains (an old one, or one that arrived beside)
    // stays deleted.
    const copies = Object.entries(manifest.files).filter(([file, f]) => f.chapter === chapter && exists(file));
    if (copies.length === 0) {
      await write(exists(teacherFile) ? besideName(chapter, now, exists) : teacherFile, 'restored');
      continue;
    }
    if (record.student === hash) continue;
    // The chapter changed since it was released here.
    const asReleased = manifest.files[record.file]?.student;
    if (exists(record.file) && asReleased !== undefined && (await hashOfFile(path.join(opts.dir, record.file))) === asReleased) {
      await write(record.file, 'updated-in-place');
    } else {
      await write(besideName(chapter, now, exists), 'arrived-beside', { yours: copies[0][0] });
    }
  }

  await writeIfMissing(path.join(opts.dir, 'README.md'), workspaceReadme());
  await writeIfMissing(path.join(opts.dir, 'tsconfig.json'), workspaceTsconfig(opts.dir, opts.teacherDir));
  await linkTeacher(opts.dir, opts.teacherDir);
  const notes = events.filter((e) => e.kind !== 'added' || previous !== undefined);
  if (notes.length > 0) await appendUpdates(opts.dir, now, notes);
  await fs.writeFile(path.join(opts.dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return { created: previous === undefined, events, problems };
}

async function writeIfMissing(file: string, text: string): Promise<void> {
  // 'wx' fails on an existing file: the learner's README or tsconfig stays theirs.
  await fs.writeFile(file, text, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

/**
 * `teacher` → the teacher's notebooks, so the full chapters are one click away in JupyterLab's
 * file browser (Jupyter serves a link inside its root folder). A junction on Windows, which needs
 * no administrator rights.
 */
async function linkTeacher(dir: string, teacherDir: string): Promise<void> {
  const link = path.join(dir, TEACHER_LINK);
  const present = await fs.lstat(link).then(() => true, () => false);
  if (present) return;
  const target = process.platform === 'win32' ? path.resolve(teacherDir) : path.relative(dir, path.resolve(teacherDir));
  await fs.symlink(target, link, 'junction');
}

export const ARRIVAL_NOTE_ID = 'tsdl-arrival-note';

/** The student version with a first markdown cell saying it is a newer version beside `yours`. */
export function withArrivalNote(student: Notebook, yours: string, now: Date): Notebook {
  const note = {
    cell_type: 'markdown' as const,
    id: ARRIVAL_NOTE_ID,
    metadata: {},
    source:
      `**A newer version of this chapter** (it arrived on ${now.toISOString().slice(0, 10)}). Your earlier copy, ` +
      `\`${yours}\`, is unchanged: copy your answers over from it, or keep working there. ` +
      '`UPDATES.md` lists what arrived. You can delete this cell.',
  };
  return { ...student, cells: [note, ...student.cells] };
}

/** One line per event, for the terminal and UPDATES.md. */
export function describeEvent(e: WorkspaceEvent): string {
  switch (e.kind) {
    case 'added':
      return `New chapter: ${e.file}.`;
    case 'restored':
      return `${e.file} was missing, so a fresh copy of the chapter was put back.`;
    case 'updated-in-place':
      return `${e.file} changed in the course; you had not edited your copy, so it was replaced by the new version.`;
    case 'arrived-beside':
      return `${e.chapter} changed in the course (or ${e.yours} was not made by tsdl). Your ${e.yours} stays as it is; the new version is ${e.file}. Copy your answers over, or keep working in the old one.`;
  }
}

async function appendUpdates(dir: string, now: Date, events: WorkspaceEvent[]): Promise<void> {
  const file = path.join(dir, UPDATES);
  const head = existsSync(file) ? '' : '# Updates to your workspace\n\ntsdl never overwrites a notebook you worked in: a changed chapter arrives beside your copy.\n';
  const lines = events.map((e) => `- ${describeEvent(e)}`).join('\n');
  await fs.appendFile(file, `${head}\n## ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${lines}\n`);
}

/** The workspace's tsconfig: the curriculum's own compiler options, so cells check as in notebooks/. */
export function workspaceTsconfig(dir: string, teacherDir: string): string {
  const extend = path.relative(path.resolve(dir), path.join(path.resolve(teacherDir), 'tsconfig.json')).split(path.sep).join('/');
  return JSON.stringify({ '//': 'The curriculum\'s compiler options (the tsdl kernel reads the tsconfig.json nearest a notebook).', extends: extend }, null, 2) + '\n';
}

export function workspaceReadme(): string {
  return `# Your workspace

These are the chapters of the course as a learner gets them: every exercise's answer cell holds a
line that throws \`Not implemented yet\`, and the tests you see are the visible ones (the teacher's
grading also runs hidden tests). This folder is yours: tsdl never overwrites a notebook in it.

## The loop

1. **Attempt.** Replace the \`Not implemented yet\` line of an answer cell with your code and run it.
2. **Check.** Run the test cell below it; or press **Validate** in the notebook's toolbar, which runs
   the whole notebook on a fresh kernel and lists every test that fails; or, in a terminal in this
   folder (JupyterLab's *File → New → Terminal* opens one here):

       node ../bin/tsdl.js grade check 01-matrices.ipynb

   which prints each exercise as passed or failed, the check that failed and what it said, and the
   first error of your own answer cell.
3. **Fix, and check again.**
4. **Stuck?** After your own attempt, see the teacher's solution of one exercise:

       node ../bin/tsdl.js grade reveal 01-matrices.ipynb EXERCISE_ID [--insert]

   EXERCISE_ID is the answer cell's id that \`grade check\` prints. It prints the solution, or with
   \`--insert\` adds it to the notebook below your answer, as text (reload the notebook in
   JupyterLab to see it). It refuses an exercise you have not attempted yet, unless you add \`--force\`.

## The teacher's notebooks

The folder **\`teacher/\`** here holds the full chapters: every solution, the hidden tests and the
outputs of a complete run. Open one to compare, but work here: a notebook saved in \`teacher/\` is
saved into the course itself (\`notebooks/\`), and \`git diff notebooks\` will show it.

## Updates

When the course changes, \`npm start\` brings the new or changed chapters in. A chapter you never
edited is replaced; one you worked in stays as it is, and the new version arrives beside it as
\`NAME.new-DATE.ipynb\`. \`UPDATES.md\` lists what arrived. To start a chapter over, delete (or
rename) your copy: the next \`npm start\` puts a fresh one back.
`;
}
