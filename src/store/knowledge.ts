export const KNOWLEDGE_SCHEMA_VERSION = 1;

export interface KnowledgeChunk {
  /** Path of the source file relative to the project's knowledge/ folder. */
  source: string;
  /** 0-based position of the chunk in its source. */
  index: number;
  /** Heading path of the chunk in its document, e.g. "Amazon SageMaker > Features". */
  title: string;
  text: string;
}

export interface KnowledgeDocument {
  source: string;
  /** Content hash: a document whose hash is unchanged is not re-indexed. */
  hash: string;
  chunks: KnowledgeChunk[];
}

export interface KnowledgeHit {
  source: string;
  title: string;
  /** A short extract around the matching terms. */
  snippet: string;
  score: number;
}

/** Knowledge is project-wide (not per user): it is what the project ships in knowledge/. */
export interface KnowledgeStore {
  /** source → hash of every indexed document. */
  listDocuments(): Promise<Map<string, string>>;
  /** Replaces the document's chunks atomically. */
  upsertDocument(document: KnowledgeDocument): Promise<void>;
  deleteDocument(source: string): Promise<void>;
  search(query: string, limit: number): Promise<KnowledgeHit[]>;
}
