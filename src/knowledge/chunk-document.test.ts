import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNK_CHARS, hashContent } from './chunk-document.ts';

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '');

describe('chunkDocument', () => {
  it('splits Markdown by headings and keeps the heading path as the title', () => {
    const text = [
      'Intro before any heading.',
      '# Amazon SageMaker',
      'What it is.',
      '## Key features',
      '### Studio',
      'An IDE.',
      '### Training jobs ###',
      'Managed training.',
      '## Pricing',
      'Pay as you go.',
      '# Other *topic* with [a link](https://example.com)',
      'More.',
    ].join('\n');
    expect(chunkDocument('doc.md', text).map(({ index, title, text }) => ({ index, title, text }))).toEqual([
      { index: 0, title: '', text: 'Intro before any heading.' },
      { index: 1, title: 'Amazon SageMaker', text: 'What it is.' },
      { index: 2, title: 'Amazon SageMaker > Key features > Studio', text: 'An IDE.' },
      { index: 3, title: 'Amazon SageMaker > Key features > Training jobs', text: 'Managed training.' },
      { index: 4, title: 'Amazon SageMaker > Pricing', text: 'Pay as you go.' },
      { index: 5, title: 'Other topic with a link', text: 'More.' },
    ]);
    expect(chunkDocument('doc.md', text).every((chunk) => chunk.source === 'doc.md')).toBe(true);
  });

  it('keeps fenced code whole and does not read # lines inside it as headings', () => {
    const text = '# Setup\n\nRun this:\n\n```bash\n# install\n\nnpm install\n```\n\nDone.';
    const chunks = chunkDocument('setup.markdown', text);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.title).toBe('Setup');
    expect(chunks[0]?.text).toBe('Run this:\n\n```bash\n# install\n\nnpm install\n```\n\nDone.');
  });

  it('understands setext headings and strips front matter, CRLF and a BOM', () => {
    const text =
      '\uFEFF---\ntitle: x\n---\r\nGuide\r\n=====\r\n\r\nBody one.\r\n\r\nPart\r\n----\r\nBody two.\r\n\r\n---\r\n\r\nAfter a rule.';
    const chunks = chunkDocument('guide.md', text);
    expect(chunks.map((chunk) => [chunk.title, chunk.text])).toEqual([
      ['Guide', 'Body one.'],
      ['Guide > Part', 'Body two.\n\n---\n\nAfter a rule.'],
    ]);
  });

  it('splits plain text by paragraphs only, with an empty title', () => {
    const text = '# not a heading\n\nFirst paragraph.\n\n\n\nSecond paragraph.';
    const chunks = chunkDocument('notes.txt', text, { targetChars: 100 });
    expect(chunks.map((chunk) => [chunk.title, chunk.text])).toEqual([
      ['', '# not a heading\n\nFirst paragraph.\n\nSecond paragraph.'],
    ]);
  });

  it('packs paragraphs up to the target and never cuts inside a word', () => {
    const paragraph = (n: number) => `Paragraph ${n} ${'lorem ipsum dolor sit amet '.repeat(8).trim()}.`;
    const text = Array.from({ length: 12 }, (_, n) => paragraph(n)).join('\n\n');
    const chunks = chunkDocument('long.txt', text, { targetChars: 500 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(500);
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
    // Cut at paragraph boundaries: every chunk starts a paragraph, and nothing is lost or duplicated.
    for (const chunk of chunks) expect(chunk.text).toMatch(/^Paragraph \d+ /);
    expect(chunks.flatMap((chunk) => words(chunk.text))).toEqual(words(text));
  });

  it('splits an oversized paragraph at sentences, then at spaces; a giant word stays whole', () => {
    const sentences = Array.from({ length: 30 }, (_, n) => `Sentence number ${n} talks about endpoints.`).join(' ');
    const giant = 'x'.repeat(300);
    const text = `${sentences}\n\n${'word '.repeat(200).trim()} ${giant} tail`;
    const chunks = chunkDocument('big.txt', text, { targetChars: 200 });
    for (const chunk of chunks) {
      expect(chunk.text.length <= 200 || chunk.text === giant).toBe(true);
    }
    expect(chunks.filter((chunk) => chunk.text.startsWith('Sentence')).every((chunk) => chunk.text.endsWith('.'))).toBe(
      true,
    );
    expect(chunks.some((chunk) => chunk.text === giant)).toBe(true);
    expect(chunks.flatMap((chunk) => words(chunk.text))).toEqual(words(text));
  });

  it('is deterministic and drops empty sections and control characters', () => {
    const text = '# A\n\n## B\n\nText\u0000 here.\n\n## Empty\n\n   \n';
    expect(chunkDocument('d.md', text)).toEqual(chunkDocument('d.md', text));
    expect(chunkDocument('d.md', text).map((chunk) => [chunk.title, chunk.text])).toEqual([['A > B', 'Text here.']]);
    expect(chunkDocument('empty.md', '')).toEqual([]);
  });

  it('chunks the example SageMaker document into titled sections near the target size', () => {
    const text = readFileSync(new URL('../../examples/knowledge/amazon-sagemaker.md', import.meta.url), 'utf8');
    const chunks = chunkDocument('amazon-sagemaker.md', text);
    expect(chunks.length).toBeGreaterThan(8);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(DEFAULT_CHUNK_CHARS);
    const titles = chunks.map((chunk) => chunk.title);
    expect(titles[0]).toBe('Amazon SageMaker');
    expect(titles).toContain('Amazon SageMaker > Key features > SageMaker Autopilot');
    expect(titles).toContain('Amazon SageMaker > Pricing model overview');
  });
});

describe('hashContent', () => {
  it('is the sha256 hex of the UTF-8 text', () => {
    expect(hashContent('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashContent('é')).not.toBe(hashContent('e'));
  });
});
