import type { DocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';

export interface BoundedDocumentStoreOptions {
  /** Estimated bytes of parsed documents kept in all (documentBytes). */
  maxBytes: number;
  /** Documents parsed from a longer query text are not kept: they are parsed again if repeated. */
  maxQueryChars: number;
}

/**
 * What a parsed document holds in memory, estimated from its text and its JSON form. Apollo's
 * default store counts the JSON alone; the AST's Location keeps the source text and every token,
 * so a 1 MB query made of one comment counted 1 kB there (issue 12). Measured on graphql-js 16
 * with 200 documents each: a field list is 66 × its text and 3.4 × its JSON, nested selections
 * 75 × and 3.4 ×, a long comment 1.2 × its text; text + 4 × JSON covers all three.
 */
export function documentBytes(document: DocumentNode): number {
  const text = document.loc?.source.body.length ?? 0;
  return text + 4 * JSON.stringify(document).length;
}

/**
 * Apollo's store of parsed and validated documents (by hash of the query text), bounded by the
 * estimated bytes of what it keeps: least recently used documents leave first, and documents of
 * long texts are never kept.
 */
export class BoundedDocumentStore implements DocumentStore {
  private readonly entries = new Map<string, { document: DocumentNode; bytes: number }>();
  private bytes = 0;

  constructor(private readonly options: BoundedDocumentStoreOptions) {}

  async get(key: string): Promise<DocumentNode | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.document;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    if ((document.loc?.source.body.length ?? 0) > this.options.maxQueryChars) return;
    const bytes = key.length + documentBytes(document);
    if (bytes > this.options.maxBytes / 4) return;
    await this.delete(key);
    this.entries.set(key, { document, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    return true;
  }

  stats(): { documents: number; bytes: number } {
    return { documents: this.entries.size, bytes: this.bytes };
  }
}
