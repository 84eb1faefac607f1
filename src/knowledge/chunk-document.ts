import { createHash } from 'node:crypto';
import type { KnowledgeChunk } from '../store/knowledge.ts';

/** Target chunk size in characters: small enough for a precise snippet, large enough to keep context. */
export const DEFAULT_CHUNK_CHARS = 1_200;

export interface ChunkOptions {
  /** Chunks are packed up to this many characters; a single word longer than this stays whole. */
  targetChars?: number;
}

/** sha256 hex of the UTF-8 text: the document hash compared by `syncKnowledge`. */
export function hashContent(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Whether a knowledge source is Markdown (by extension); everything else is plain text. */
export function isMarkdownSource(source: string): boolean {
  return /\.(md|markdown)$/i.test(source);
}

/**
 * Splits a document into search chunks. Deterministic: the same source and text always give the
 * same chunks.
 *
 * Markdown is split by headings first (`title` is the heading path, e.g. "Amazon SageMaker > Key
 * features"), then each section's blocks (paragraphs, lists, fenced code) are packed into chunks of
 * up to `targetChars`. Chunks break at block boundaries, without overlap; a block larger than the
 * target is split at sentence ends, then at spaces, never inside a word. Plain text is split the
 * same way by paragraphs, with an empty title. Sections without body text yield no chunk.
 */
export function chunkDocument(source: string, text: string, options: ChunkOptions = {}): KnowledgeChunk[] {
  const targetChars = Math.max(100, options.targetChars ?? DEFAULT_CHUNK_CHARS);
  const normalized = normalizeText(text);
  const sections = isMarkdownSource(source)
    ? splitMarkdownSections(normalized)
    : [{ title: '', lines: normalized.split('\n') }];
  const chunks: KnowledgeChunk[] = [];
  for (const section of sections) {
    for (const body of packBlocks(splitBlocks(section.lines), targetChars)) {
      chunks.push({ source, index: chunks.length, title: section.title, text: body });
    }
  }
  return chunks;
}

interface Section {
  title: string;
  lines: string[];
}

/** LF line ends, no BOM, no control characters other than tab and newline (PostgreSQL rejects NUL). */
function normalizeText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\t\n]/gu, '');
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;

function splitMarkdownSections(text: string): Section[] {
  const lines = stripFrontMatter(text.split('\n'));
  const sections: Section[] = [];
  const path: { level: number; text: string }[] = [];
  let current: Section = { title: '', lines: [] };
  let fence: string | undefined;

  const startSection = (level: number, heading: string) => {
    sections.push(current);
    while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
    if (heading !== '') path.push({ level, text: heading });
    current = { title: path.map((entry) => entry.text).join(' > '), lines: [] };
  };

  for (const line of lines) {
    if (fence !== undefined) {
      current.lines.push(line);
      if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      current.lines.push(line);
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      startSection(atx[1]!.length, cleanHeading(atx[2] ?? ''));
      continue;
    }
    const setext = SETEXT_UNDERLINE.exec(line);
    const previous = current.lines[current.lines.length - 1];
    // Setext heading: one line of text underlined with === (level 1) or --- (level 2). A --- after
    // a blank line is a thematic break, and list items or quotes are not headings.
    if (setext && previous !== undefined && previous.trim() !== '' && !/^\s*([-*+>]|\d+[.)])\s/.test(previous)) {
      const beforePrevious = current.lines[current.lines.length - 2];
      if (beforePrevious === undefined || beforePrevious.trim() === '') {
        current.lines.pop();
        startSection(setext[1]!.startsWith('=') ? 1 : 2, cleanHeading(previous));
        continue;
      }
    }
    current.lines.push(line);
  }
  sections.push(current);
  return sections;
}

/** YAML front matter (`---` … `---` on the first lines) is metadata, not searchable text. */
function stripFrontMatter(lines: string[]): string[] {
  if (lines[0]?.trim() !== '---') return lines;
  const end = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
  return end === -1 ? lines : lines.slice(end + 1);
}

/** Heading text without inline markup that would only add noise to a title. */
function cleanHeading(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Blocks are runs of non-blank lines; a fenced code block is one block even across blank lines. */
function splitBlocks(lines: string[]): string[] {
  const blocks: string[] = [];
  let block: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const text = block.join('\n').replace(/\s+$/, '');
    if (text.trim() !== '') blocks.push(text.replace(/^\n+/, ''));
    block = [];
  };
  for (const line of lines) {
    if (fence !== undefined) {
      block.push(line);
      if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) fence = fenceMatch[1]!;
    if (line.trim() === '' && fence === undefined) {
      flush();
      continue;
    }
    block.push(line.replace(/\s+$/, ''));
  }
  flush();
  return blocks;
}

/** Greedy packing of blocks into chunks of at most `target` characters (joined by a blank line). */
function packBlocks(blocks: string[], target: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const block of blocks.flatMap((entry) => splitLargeBlock(entry, target))) {
    if (current === '') {
      current = block;
    } else if (current.length + 2 + block.length <= target) {
      current += '\n\n' + block;
    } else {
      chunks.push(current);
      current = block;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/**
 * Ways to cut a block over the target, coarsest first: at line ends (list items), at sentence ends,
 * then at whitespace. A single word longer than the target stays whole.
 */
const CUTS: { split: RegExp; join: string }[] = [
  { split: /\n/, join: '\n' },
  { split: /(?<=[.!?])\s+/, join: ' ' },
  { split: /\s+/, join: ' ' },
];

function splitLargeBlock(block: string, target: number, level = 0): string[] {
  const cut = CUTS[level];
  if (block.length <= target || cut === undefined) return [block];
  const parts = block.split(cut.split).filter((part) => part.trim() !== '');
  const pieces: string[] = [];
  let current = '';
  for (const part of parts.flatMap((entry) => splitLargeBlock(entry, target, level + 1))) {
    if (current === '') {
      current = part;
    } else if (current.length + cut.join.length + part.length <= target) {
      current += cut.join + part;
    } else {
      pieces.push(current);
      current = part;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}
