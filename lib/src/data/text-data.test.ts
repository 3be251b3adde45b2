import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emailText, readTextCsv, SPAM_CSV } from './text-data';

describe('emailText', () => {
  it('keeps the subject and readable body, drops headers and HTML', () => {
    const raw = 'From x@y.com Tue Aug 6\nReceived: from mail.example.com\nSubject: Cheap   meds\n  today\n\n<html><b>Buy</b> now &amp; save</html>\n--boundary\n';
    expect(emailText(raw)).toBe('Cheap meds today Buy now & save');
  });
});

describe('readTextCsv (danfojs-node)', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsdl-csv-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string) => { const p = join(dir, name); writeFileSync(p, body); return p; };

  it('reads texts and labels', async () => {
    const d = await readTextCsv(file('ok.csv', 'text,label\n"hello, world",ham\nbuy now,spam\n'));
    expect(d.texts).toEqual(['hello, world', 'buy now']);
    expect(d.classNames).toEqual(['ham', 'spam']);
    expect(d.labelIds).toEqual([0, 1]);
  }, 30_000); // the first read loads danfojs-node and TensorFlow.js: seconds on a busy machine

  it('names the bad row and the file', async () => {
    const p = file('bad.csv', 'text,label\nfine,ham\nbroken,row,extra\n');
    await expect(readTextCsv(p)).rejects.toThrow(/bad\.csv could not be parsed: data row 2 \(line 3\): Too many fields.*wrapped in double quotes/);
  });

  it('names a wrong column and lists the real ones', async () => {
    const p = file('cols.csv', 'message,category\nhi,ham\n');
    await expect(readTextCsv(p)).rejects.toThrow(/cols\.csv has no column 'text'; its columns are 'message', 'category'.*textColumn/);
    const d = await readTextCsv(p, { textColumn: 'message', labelColumn: 'category' });
    expect(d.texts).toEqual(['hi']);
  });

  it('says when the file is missing', async () => {
    await expect(readTextCsv(join(dir, 'nope.csv'))).rejects.toThrow(/nope\.csv does not exist/);
  });

  it('the committed spam corpus is real, balanced and a few MB', async () => {
    expect(statSync(SPAM_CSV).size).toBeLessThan(5 * 1024 * 1024);
    const d = await readTextCsv(SPAM_CSV);
    expect(d.classNames).toEqual(['ham', 'spam']);
    const spam = d.labels.filter((l) => l === 'spam').length;
    expect(spam / d.labels.length).toBeCloseTo(0.5, 1);
    expect(d.texts.length).toBeGreaterThan(3000);
  });
});
