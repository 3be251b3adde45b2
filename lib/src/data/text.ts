/**
 * Text to integer sequences, with the behaviour of Keras's `Tokenizer` and `pad_sequences`, so
 * code and numbers from Keras tutorials carry over unchanged.
 */

/** Keras's default `filters`: punctuation, tab and newline are replaced by the split char. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

export interface TokenizerOptions {
  /** Keep only the `numWords - 1` most frequent words (index 0 is reserved for padding). */
  numWords?: number;
  /** Characters removed from texts (replaced by `split`). Default: Keras's punctuation set. */
  filters?: string;
  /** Lowercase texts first. Default true. */
  lower?: boolean;
  /** Word separator. Default ' '. */
  split?: string;
  /** Treat every character as a token. Default false. */
  charLevel?: boolean;
  /** A token given index 1 that stands for every word out of the vocabulary, e.g. '<OOV>'. */
  oovToken?: string;
}

/**
 * Keras's `text_to_word_sequence`: lowercase, turn filter characters into separators, split,
 * drop empty pieces.
 *
 * ```ts
 * textToWordSequence('Hello, World!'); // ['hello', 'world']
 * ```
 */
export function textToWordSequence(text: string, filters = KERAS_FILTERS, lower = true, split = ' '): string[] {
  let s = lower ? text.toLowerCase() : text;
  if (filters.length > 0) {
    const set = new Set(filters);
    let out = '';
    for (const ch of s) out += set.has(ch) ? split : ch;
    s = out;
  }
  return s.split(split).filter((w) => w.length > 0);
}

/**
 * Turns texts into sequences of word indices, like `keras.preprocessing.text.Tokenizer`:
 * words are indexed by descending frequency (ties in order of first appearance) from 1, the
 * `oovToken` (when given) takes index 1, and `numWords` keeps indices below `numWords`.
 *
 * ```ts
 * const tok = new Tokenizer({ numWords: 100, oovToken: '<OOV>' });
 * tok.fitOnTexts(['I love my dog', 'I love my cat']);
 * tok.wordIndex.get('love');              // 3  ('<OOV>' is 1, 'i' is 2)
 * tok.textsToSequences(['I love my fish']); // [[2, 3, 4, 1]]
 * ```
 */
export class Tokenizer {
  readonly numWords: number | undefined;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | undefined;
  /** Word → count over all fitted texts, in order of first appearance. */
  readonly wordCounts = new Map<string, number>();
  /** Word → number of documents containing it. */
  readonly wordDocs = new Map<string, number>();
  /** Word → index (1-based). Covers every seen word; `numWords` applies when converting. */
  wordIndex = new Map<string, number>();
  /** Index → word. */
  indexWord = new Map<number, string>();
  documentCount = 0;

  constructor(options: TokenizerOptions = {}) {
    if (options.numWords !== undefined && (!Number.isInteger(options.numWords) || options.numWords < 1)) {
      throw new Error(`Tokenizer: numWords must be a positive integer, got ${options.numWords}.`);
    }
    this.numWords = options.numWords;
    this.filters = options.filters ?? KERAS_FILTERS;
    this.lower = options.lower ?? true;
    this.split = options.split ?? ' ';
    this.charLevel = options.charLevel ?? false;
    this.oovToken = options.oovToken;
  }

  private tokens(text: string): string[] {
    if (this.charLevel) return [...(this.lower ? text.toLowerCase() : text)];
    return textToWordSequence(text, this.filters, this.lower, this.split);
  }

  /** Learn the vocabulary from texts (can be called repeatedly; counts accumulate). */
  fitOnTexts(texts: readonly string[]): void {
    for (const text of texts) {
      if (typeof text !== 'string') {
        throw new Error(`Tokenizer.fitOnTexts: expected strings, got ${typeof text} (${String(text)}); convert your column with String(x).`);
      }
      this.documentCount += 1;
      const seq = this.tokens(text);
      for (const w of seq) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      for (const w of new Set(seq)) this.wordDocs.set(w, (this.wordDocs.get(w) ?? 0) + 1);
    }
    // Array.prototype.sort is stable, as Python's sorted is: ties keep first-appearance order.
    const byCount = [...this.wordCounts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    const vocabulary = this.oovToken === undefined ? byCount : [this.oovToken, ...byCount];
    this.wordIndex = new Map();
    vocabulary.forEach((w, i) => this.wordIndex.set(w, i + 1));
    this.indexWord = new Map([...this.wordIndex.entries()].map(([w, i]) => [i, w]));
  }

  /** Words → indices. Unknown or beyond-`numWords` words become the OOV index, or are dropped. */
  textsToSequences(texts: readonly string[]): number[][] {
    const oovIndex = this.oovToken === undefined ? undefined : this.wordIndex.get(this.oovToken);
    return texts.map((text) => {
      const out: number[] = [];
      for (const w of this.tokens(text)) {
        const i = this.wordIndex.get(w);
        if (i !== undefined) {
          if (this.numWords !== undefined && i >= this.numWords) {
            if (oovIndex !== undefined) out.push(oovIndex);
          } else out.push(i);
        } else if (oovIndex !== undefined) out.push(oovIndex);
      }
      return out;
    });
  }

  /** Indices → space-joined words (the inverse of textsToSequences, up to filtering). */
  sequencesToTexts(sequences: readonly number[][]): string[] {
    const oovIndex = this.oovToken === undefined ? undefined : this.wordIndex.get(this.oovToken);
    return sequences.map((seq) => {
      const words: string[] = [];
      for (const i of seq) {
        const w = this.indexWord.get(i);
        const inRange = this.numWords === undefined || i < this.numWords;
        if (w !== undefined && inRange) words.push(w);
        else if (oovIndex !== undefined) words.push(this.indexWord.get(oovIndex)!);
      }
      return words.join(this.charLevel ? '' : ' ');
    });
  }

  /** The vocabulary size a model's Embedding layer needs: `min(numWords, words + 1)`. */
  get vocabularySize(): number {
    const all = this.wordIndex.size + 1;
    return this.numWords === undefined ? all : Math.min(this.numWords, all);
  }

  /** A JSON string that {@link Tokenizer.fromJson} reads back (save it beside a model). */
  toJson(): string {
    return JSON.stringify({
      config: { numWords: this.numWords, filters: this.filters, lower: this.lower, split: this.split, charLevel: this.charLevel, oovToken: this.oovToken },
      documentCount: this.documentCount,
      wordCounts: [...this.wordCounts.entries()],
      wordDocs: [...this.wordDocs.entries()],
      wordIndex: [...this.wordIndex.entries()],
    });
  }

  static fromJson(json: string): Tokenizer {
    const data = JSON.parse(json) as {
      config: TokenizerOptions; documentCount: number;
      wordCounts: [string, number][]; wordDocs: [string, number][]; wordIndex: [string, number][];
    };
    const tok = new Tokenizer(data.config);
    tok.documentCount = data.documentCount;
    for (const [w, c] of data.wordCounts) tok.wordCounts.set(w, c);
    for (const [w, c] of data.wordDocs) tok.wordDocs.set(w, c);
    tok.wordIndex = new Map(data.wordIndex);
    tok.indexWord = new Map(data.wordIndex.map(([w, i]) => [i, w]));
    return tok;
  }
}

export interface PadOptions {
  /** Length of every output row. Default: the longest input sequence. */
  maxlen?: number;
  /** Where padding goes. Default 'pre' (as in Keras). */
  padding?: 'pre' | 'post';
  /** Which end is cut from sequences longer than maxlen. Default 'pre' (as in Keras). */
  truncating?: 'pre' | 'post';
  /** The padding value. Default 0. */
  value?: number;
}

/**
 * Keras's `pad_sequences`: every sequence becomes exactly `maxlen` long. Defaults pad and cut at
 * the front ('pre'), so the end of a text (closest to the prediction) is kept.
 *
 * ```ts
 * padSequences([[1, 2], [3, 4, 5, 6]], { maxlen: 3 });  // [[0, 1, 2], [4, 5, 6]]
 * padSequences([[1, 2]], { maxlen: 3, padding: 'post' }); // [[1, 2, 0]]
 * ```
 */
export function padSequences(sequences: readonly (readonly number[])[], options: PadOptions = {}): number[][] {
  const { padding = 'pre', truncating = 'pre', value = 0 } = options;
  for (const [name, v] of [['padding', padding], ['truncating', truncating]] as const) {
    if (v !== 'pre' && v !== 'post') throw new Error(`padSequences: ${name} must be 'pre' or 'post', got ${JSON.stringify(v)}.`);
  }
  const maxlen = options.maxlen ?? sequences.reduce((m, s) => Math.max(m, s.length), 0);
  if (!Number.isInteger(maxlen) || maxlen < 0) throw new Error(`padSequences: maxlen must be a non-negative integer, got ${maxlen}.`);
  return sequences.map((seq, row) => {
    if (!Array.isArray(seq)) throw new Error(`padSequences: sequence ${row} is not an array (got ${typeof seq}).`);
    const kept = seq.length <= maxlen ? seq : truncating === 'pre' ? seq.slice(seq.length - maxlen) : seq.slice(0, maxlen);
    const fill = new Array<number>(maxlen - kept.length).fill(value);
    return padding === 'pre' ? [...fill, ...kept] : [...kept, ...fill];
  });
}
