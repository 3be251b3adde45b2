import { Tokenizer, padSequences, textToWordSequence } from './text';

describe('textToWordSequence (Keras text_to_word_sequence)', () => {
  it('lowercases, strips punctuation and splits', () => {
    expect(textToWordSequence('Hello, World! It\'s 9:30\tnow.')).toEqual(['hello', 'world', "it's", '9', '30', 'now']);
  });
});

describe('Tokenizer (Keras semantics)', () => {
  // The example from TensorFlow's "Tokenization" tutorial (Laurence Moroney's NLP zero to hero).
  const sentences = ['I love my dog', 'I love my cat', 'You love my dog!', 'Do you think my dog is amazing?'];

  it('indexes words by frequency, ties by first appearance, OOV first', () => {
    const tok = new Tokenizer({ numWords: 100, oovToken: '<OOV>' });
    tok.fitOnTexts(sentences);
    expect(Object.fromEntries(tok.wordIndex)).toEqual({
      '<OOV>': 1, my: 2, love: 3, dog: 4, i: 5, you: 6, cat: 7, do: 8, think: 9, is: 10, amazing: 11,
    });
    expect(tok.textsToSequences(['i really love my dog', 'my dog loves my manatee'])).toEqual([
      [5, 1, 3, 2, 4], [2, 4, 1, 2, 1],
    ]);
    expect(tok.documentCount).toBe(4);
    expect(tok.wordDocs.get('my')).toBe(4);
  });

  it('drops unknown words without an OOV token', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(sentences);
    expect(tok.wordIndex.get('my')).toBe(1);
    expect(tok.textsToSequences(['i really love my dog'])).toEqual([[4, 2, 1, 3]]);
  });

  it('numWords keeps indices below numWords (Keras: i >= num_words is out)', () => {
    const tok = new Tokenizer({ numWords: 3 });
    tok.fitOnTexts(sentences);
    expect(tok.textsToSequences(['i love my dog'])).toEqual([[2, 1]]);
    const withOov = new Tokenizer({ numWords: 3, oovToken: '<OOV>' });
    withOov.fitOnTexts(sentences);
    expect(withOov.textsToSequences(['i love my dog'])).toEqual([[1, 1, 2, 1]]);
    expect(withOov.vocabularySize).toBe(3);
  });

  it('round-trips through JSON and back to text', () => {
    const tok = new Tokenizer({ oovToken: '<OOV>' });
    tok.fitOnTexts(sentences);
    const again = Tokenizer.fromJson(tok.toJson());
    expect(again.textsToSequences(['my dog is amazing'])).toEqual(tok.textsToSequences(['my dog is amazing']));
    expect(again.sequencesToTexts([[2, 4, 99]])).toEqual(['my dog <OOV>']);
  });
});

describe('padSequences (Keras pad_sequences)', () => {
  const seqs = [[1], [2, 3], [4, 5, 6, 7]];
  it('pads and truncates at the front by default, to the longest length', () => {
    expect(padSequences(seqs)).toEqual([[0, 0, 0, 1], [0, 0, 2, 3], [4, 5, 6, 7]]);
    expect(padSequences(seqs, { maxlen: 3 })).toEqual([[0, 0, 1], [0, 2, 3], [5, 6, 7]]);
  });
  it('supports post padding/truncating and a padding value', () => {
    expect(padSequences(seqs, { maxlen: 3, padding: 'post', truncating: 'post', value: -1 }))
      .toEqual([[1, -1, -1], [2, 3, -1], [4, 5, 6]]);
    expect(padSequences([[], [1]], { maxlen: 2 })).toEqual([[0, 0], [0, 1]]);
  });
  it('rejects a bad option with its name', () => {
    expect(() => padSequences(seqs, { padding: 'middle' as 'pre' })).toThrow(/padding must be 'pre' or 'post'/);
  });
});
