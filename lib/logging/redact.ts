/**
 * Secret redaction for everything the library logs. Keys are compared after lower-casing and
 * dropping punctuation, so one entry covers `apiKey`, `api_key` and `X-Api-Key`.
 */
import type { RedactionOptions } from '../config.js';

export const REDACTED = '[REDACTED]';

/** Key fragments that mark a value as a secret wherever they appear in a key. */
export const DEFAULT_SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'credential',
  'privatekey',
  'signature',
  'sessionid',
  'webhook',
];

/** Strings longer than this are not parsed as JSON for redaction (logged events are truncated anyway). */
const MAX_PARSED_STRING = 1_000_000;

const normalize = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface Redactor {
  isSecretKey(key: string): boolean;
  /** A JSON.stringify replacer: secret keys' values become `[REDACTED]`. */
  replacer(key: string, value: unknown): unknown;
  /** A deep copy with secret values replaced. */
  redact<T>(value: T): T;
  /** A query string (`a=1&token=x`) with secret values replaced. */
  redactQuery(query: Record<string, string>): string;
}

export function createRedactor(options: RedactionOptions = {}): Redactor {
  const extra = (options.keys ?? []).map(normalize).filter(Boolean);
  const fragments = options.replaceDefaults ? extra : [...DEFAULT_SECRET_KEYS, ...extra];
  const verdicts = new Map<string, boolean>();

  const isSecretKey = (key: string): boolean => {
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      const normalized = normalize(key);
      verdict = fragments.some((fragment) => normalized.includes(fragment));
      if (verdicts.size < 10_000) verdicts.set(key, verdict);
    }
    return verdict;
  };

  const replacer = (key: string, value: unknown): unknown =>
    key !== '' && value !== undefined && value !== null && isSecretKey(key) ? REDACTED : value;

  const redactQueryString = (raw: string): string => {
    const params = new URLSearchParams(raw);
    let changed = false;
    for (const key of new Set(params.keys())) {
      if (isSecretKey(key)) {
        params.set(key, REDACTED);
        changed = true;
      }
    }
    return changed ? params.toString() : raw;
  };

  /** Strings can carry secrets too: JSON documents (bodies, SNS messages) and query strings. */
  const redactString = (key: string, text: string, walk: (node: unknown) => unknown): string => {
    const first = text.trimStart()[0];
    if ((first === '{' || first === '[') && text.length <= MAX_PARSED_STRING) {
      try {
        return JSON.stringify(walk(JSON.parse(text)));
      } catch {
        return text;
      }
    }
    if (/query/i.test(key) && text.includes('=')) return redactQueryString(text);
    return text;
  };

  const redact = <T>(value: T): T => {
    const seen = new WeakSet<object>();
    const walk = (node: unknown, key = ''): unknown => {
      if (typeof node === 'string') return redactString(key, node, walk);
      if (typeof node !== 'object' || node === null) return node;
      if (seen.has(node)) return '[Circular]';
      seen.add(node);
      if (Array.isArray(node)) return node.map((item) => walk(item, key));
      const out: Record<string, unknown> = {};
      for (const [childKey, child] of Object.entries(node)) {
        out[childKey] =
          child !== undefined && child !== null && isSecretKey(childKey) ? REDACTED : walk(child, childKey);
      }
      return out;
    };
    return walk(value) as T;
  };

  const redactQuery = (query: Record<string, string>): string => {
    let empty = true;
    for (const _ in query) {
      empty = false;
      break;
    }
    if (empty) return '';
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) params.append(key, isSecretKey(key) ? REDACTED : value);
    return params.toString();
  };

  return { isSecretKey, replacer, redact, redactQuery };
}
