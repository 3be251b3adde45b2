/**
 * When the compiler thread runs its full garbage collections.
 *
 * Every cell leaves a checker's caches and often a whole program behind; V8 would rather grow the
 * heap than collect them, so a long notebook's memory crept up by hundreds of MB, and a full
 * collection every `cellsPerCollection` cells keeps it flat. That collection takes 40–80 ms, and run
 * right after a commit it held up the next cell whenever cells came back to back (Run All): in a
 * run of short cells, every tenth waited for it. So it waits for the thread to be idle
 * (`idleMs` with no request), unless `maxCells` cells have gone by without one, which bounds the
 * memory a long run of back-to-back cells can take.
 */
export interface IdleCollectorOptions {
  /** Cells after which a collection is due. */
  cellsPerCollection: number;
  /** Cells after which a due collection no longer waits for an idle moment. */
  maxCells: number;
  /** How long the thread must have been idle before a due collection runs. */
  idleMs: number;
}

export class IdleCollector {
  private cells = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly collect: () => void, private readonly options: IdleCollectorOptions) {}

  /** A cell was committed. */
  cellDone(): void {
    if (++this.cells >= this.options.maxCells) setImmediate(() => this.run());
  }

  /** A request arrived: a waiting collection waits on. */
  busy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A request was answered: a due collection runs once nothing more arrives for `idleMs`. */
  idle(): void {
    clearTimeout(this.timer);
    this.timer = this.cells >= this.options.cellsPerCollection ? setTimeout(() => this.run(), this.options.idleMs) : undefined;
  }

  /** A collection made by someone else (the JIT training's) counts as this one's. */
  collected(): void {
    this.cells = 0;
  }

  private run(): void {
    if (this.cells === 0) return; // collected meanwhile
    this.busy();
    this.cells = 0;
    this.collect();
  }
}
