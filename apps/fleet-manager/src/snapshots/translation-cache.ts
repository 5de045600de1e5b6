import { LRUCache } from 'lru-cache';
import { type BodyTranslation, type SnapshotKind } from './config-translation';

export interface TranslationCacheOptions {
  /**
   * Bound on the bytes held (encoded resources, the JSON decoded from some of them, issue texts); the
   * least recently used go first.
   */
  readonly maxBytes?: number;
}

/** What one translation is counted as against {@link TranslationCacheOptions.maxBytes}. */
const ENTRY_OVERHEAD_BYTES = 256;
/**
 * The consistency checks decode listeners, routes and clusters to JSON, which the cached resource then
 * keeps: counted as this many times their encoded size (objects on the heap outweigh protobuf bytes).
 */
const DECODED_JSON_FACTOR = 8;
const DECODED_KINDS: ReadonlySet<SnapshotKind> = new Set(['listener', 'route', 'cluster']);
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Translated resources by content key (a resource section and the sha256 of its body): what a body
 * encodes to, or why Envoy would refuse it. A key names its content, so an entry is never stale; a
 * changed body has a new key and is translated once, and every config and proxy holding the same body
 * shares the translation. Bounded by bytes, least recently used first out.
 */
export class TranslationCache {
  private readonly entries: LRUCache<string, BodyTranslation>;
  private misses = 0;

  constructor(options: TranslationCacheOptions = {}) {
    this.entries = new LRUCache<string, BodyTranslation>({
      maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
      sizeCalculation: translationSize,
    });
  }

  /** How many bodies were translated (not found in the cache) since it was created. */
  get translated(): number {
    return this.misses;
  }

  /** Up to `limit` keys, most recently used first. */
  recentKeys(limit: number): string[] {
    const keys: string[] = [];
    for (const key of this.entries.keys()) {
      if (keys.length >= limit) break;
      keys.push(key);
    }
    return keys;
  }

  /** The cached translation of the content, marked as recently used; undefined when not cached. */
  get(contentKey: string): BodyTranslation | undefined {
    return this.entries.get(contentKey);
  }

  has(contentKey: string): boolean {
    return this.entries.has(contentKey);
  }

  /** The cached translation of the content, or `translate()`'s, which is then cached. */
  translate(contentKey: string, translate: () => BodyTranslation): BodyTranslation {
    const cached = this.entries.get(contentKey);
    if (cached !== undefined) return cached;
    const translation = translate();
    this.misses += 1;
    this.entries.set(contentKey, translation);
    return translation;
  }
}

/** What a translation counts against {@link TranslationCacheOptions.maxBytes}. */
export function translationSize(translation: BodyTranslation): number {
  if (translation.ok) {
    const { kind, bytes } = translation.resource;
    const decoded = DECODED_KINDS.has(kind) ? DECODED_JSON_FACTOR * bytes.byteLength : 0;
    return ENTRY_OVERHEAD_BYTES + bytes.byteLength + decoded;
  }
  return translation.issues.reduce((bytes, issue) => bytes + issue.length * 2, ENTRY_OVERHEAD_BYTES);
}
