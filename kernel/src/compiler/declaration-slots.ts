/**
 * Where earlier cells' declarations live for the checkers: one virtual declaration file ("slot")
 * per cell that still declares something (declarations.ts writes its text). A cell's declarations
 * replace older ones of the same names; a cell left with none gives its slot back.
 *
 * Slots are made in batches and emptied, never removed: a program whose list of files is the last
 * one's reuses its whole structure (module resolution, library files), and one with a file more or
 * less starts over, a good part of a short cell's compile time.
 */
import * as path from 'node:path';
import { CellDeclarations, declarationFileText, dropNames } from './declarations';

/** Slots made at a time; each batch makes one program start over. */
const SLOTS_PER_BATCH = 16;
/** An entry's doc comments (declarations.ts): `declare` must come after them, not before. */
const LEADING_DOCS = /^(?:\/\*\*[\s\S]*?\*\/\n)+/;

export const EMPTY_DECLARATIONS = declarationFileText({ imports: [], entries: [] }, '');

/**
 * The slots changed since a checker last took them all: each checker (TypeScript 6's program,
 * TypeScript 7's) has its own, as each takes the slots at its own moments.
 */
export class SlotChanges {
  readonly slots = new Set<number>();
  /** Whether declarations went without a newer cell declaring the same names (a restart). */
  emptied = false;

  get any(): boolean {
    return this.slots.size > 0 || this.emptied;
  }

  clear(): void {
    this.slots.clear();
    this.emptied = false;
  }
}

export class DeclarationSlots {
  private readonly cellDecls = new Map<number, CellDeclarations>();
  /** Cell index -> its slot. */
  private readonly slotOf = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  private readonly trackers: SlotChanges[] = [];

  /**
   * `writeFile` gives a slot's text to the checkers' files; `extension`: `.ts`, or `.mts` where
   * files are ES modules or CommonJS as in Node (the slots are then `.d.mts`).
   */
  constructor(private readonly notebookDir: string, private readonly extension: '.ts' | '.mts',
    private readonly writeFile: (file: string, text: string) => void) {
    // The first batch now, so that the warm-up's program already has them.
    this.addSlots();
  }

  /** A record of the slots that change from now on (see SlotChanges). */
  track(): SlotChanges {
    const changes = new SlotChanges();
    this.trackers.push(changes);
    return changes;
  }

  /** Every slot file made so far. */
  paths(): string[] {
    return Array.from({ length: this.slotCount }, (_, s) => this.slotPath(s));
  }

  slotPath(slot: number): string {
    return path.join(this.notebookDir, `__tsdl_decl_${slot}__.d${this.extension}`);
  }

  /** After a cell ran: later cells see its declarations, and older ones of the same names go. */
  commit(cellIndex: number, declaredNames: readonly string[], decls: CellDeclarations): void {
    const names = new Set(declaredNames);
    for (const [i, older] of this.cellDecls) {
      if (dropNames(older, names)) this.set(i, older);
    }
    this.set(cellIndex, decls);
  }

  /** Forget every cell (the runtime restarted). */
  reset(): void {
    for (const changes of this.trackers) changes.emptied = true;
    for (const i of [...this.cellDecls.keys()]) this.set(i, { imports: [], entries: [] });
  }

  /**
   * Cells that ran since a checker last took the slots (back to back: Run All) declared names it
   * lacks; rather than new slots for each, their declarations can follow the next cell's text as
   * ambient module-level ones, which hide the checker's older globals of the same names. Returns
   * undefined when that would not be exact: a restart emptied declarations, an earlier cell
   * imported something (its alias needs the import), or there are more than `max`. Appended after
   * the cell, so positions in the cell are unchanged; `globalThis.x` would not see them.
   */
  pendingDeclarations(declaredHere: ReadonlySet<string>, changes: SlotChanges, max: number): string | undefined {
    if (changes.emptied) return undefined;
    let text = '';
    let count = 0;
    for (const [cellIndex, decls] of this.cellDecls) {
      if (!changes.slots.has(this.slotOf.get(cellIndex)!)) continue;
      if (decls.imports.length) return undefined;
      for (const entry of decls.entries) {
        if (entry.text.startsWith('export import')) return undefined;
        if (declaredHere.has(entry.name)) continue;
        if (++count > max) return undefined;
        text += `declare ${entry.text.replace(LEADING_DOCS, '')}\n`;
      }
    }
    return text;
  }

  private set(i: number, decls: CellDeclarations): void {
    const slot = this.slotOf.get(i);
    if (decls.entries.length === 0) {
      this.cellDecls.delete(i);
      if (slot === undefined) return;
      this.slotOf.delete(i);
      this.freeSlots.push(slot);
      this.changed(slot);
      this.writeFile(this.slotPath(slot), EMPTY_DECLARATIONS);
    } else {
      const taken = slot ?? this.takeSlot();
      this.slotOf.set(i, taken);
      this.cellDecls.set(i, decls);
      this.changed(taken);
      // `.js` (`.mjs`): how every module resolution mode (NodeNext's included) names a sibling `.d.ts` (`.d.mts`).
      const self = `./${path.basename(this.slotPath(taken)).replace(/\.d\.(m?)ts$/, '.$1js')}`;
      this.writeFile(this.slotPath(taken), declarationFileText(decls, self));
    }
  }

  private changed(slot: number): void {
    for (const changes of this.trackers) changes.slots.add(slot);
  }

  private takeSlot(): number {
    if (this.freeSlots.length === 0) this.addSlots();
    return this.freeSlots.pop()!;
  }

  private addSlots(): void {
    const first = this.slotCount;
    this.slotCount += SLOTS_PER_BATCH;
    for (let s = first; s < this.slotCount; s++) this.writeFile(this.slotPath(s), EMPTY_DECLARATIONS);
    for (let s = this.slotCount - 1; s >= first; s--) this.freeSlots.push(s);
  }
}
