/**
 * Secret redaction for everything the library logs. A name is a secret's when, lower-cased and
 * stripped of separators, it contains one of the key fragments (`apiKey`, `api_key` and
 * `X-Api-Key` all contain `apikey`), or when one of its words is a secret word: words are split at
 * separators and camelCase, so `x-auth` and `authCode` hold the word `auth` but `author` does not.
 */
import type { RedactionOptions } from '../config.js';

export const REDACTED = '[REDACTED]';

/** Key fragments that mark a value as a secret wherever they appear in a key. */
export const DEFAULT_SECRET_KEYS: string[] = (
  'passw passphrase secret token apikey authorization cookie credential privatekey signature ' +
  'sessionid sessid jwt assertion webhook'
).split(' ');

/** Words too short or too common to match inside other words: `sig`, but not in `signal`. */
export const DEFAULT_SECRET_WORDS: string[] = 'auth sig pwd pass session sess sid'.split(' ');

/** Strings longer than this are not parsed as JSON for redaction (logged events are truncated anyway). */
const MAX_PARSED_STRING = 1_000_000;

/** A name's words, lower-cased: split at anything but letters and digits, and at camelCase. */
const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z\d])(?=[A-Z])/g, '$1 ')
    .toLowerCase()
    .split(/[^a-z\d]+/);

const normalize = (key: string): string => wordsOf(key).join('');

/**
 * Patterns are looked for in `<words joined> <words spaced> `: a key fragment (no spaces) can only
 * match within the joined words, a secret word (written ` word `) only as a whole spaced word.
 */
const matches = (key: string, patterns: string[]): boolean => {
  const words = wordsOf(key);
  const probe = `${words.join('')} ${words.join(' ')} `;
  return patterns.some((pattern) => probe.includes(pattern));
};

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
  const own = options.replaceDefaults;
  const patterns = [
    ...(own ? [] : DEFAULT_SECRET_KEYS),
    ...(options.keys ?? []).map(normalize),
    ...[...(own ? [] : DEFAULT_SECRET_WORDS), ...(options.words ?? [])].map((word) => ` ${normalize(word)} `),
  ].filter((pattern) => pattern.trim());
  // The OAuth authorization `code` and many web APIs' `key`: secrets as query and form parameters,
  // too common as JSON fields to redact there.
  const parameterPatterns = own ? patterns : [...patterns, ' code ', ' key '];
  /** Remembers verdicts (names repeat from one invocation to the next), for a bounded number of names. */
  const remembered = (list: string[]) => {
    const verdicts = new Map<string, boolean>();
    return (key: string): boolean => {
      let verdict = verdicts.get(key);
      if (verdict === undefined) {
        verdict = matches(key, list);
        if (verdicts.size < 10_000) verdicts.set(key, verdict);
      }
      return verdict;
    };
  };
  const isSecretKey = remembered(patterns);
  const isSecretParameter = remembered(parameterPatterns);

  const replacer = (key: string, value: unknown): unknown =>
    key !== '' && value !== undefined && value !== null && isSecretKey(key) ? REDACTED : value;

  /**
   * Strings can carry secrets too: JSON documents (bodies, SNS messages) are redacted as values,
   * and `name=value` pairs (query strings, form bodies, URLs in headers or fields) by name.
   */
  const redactString = (text: string, walk: (node: unknown) => unknown): string => {
    const first = text.trimStart()[0];
    if ((first === '{' || first === '[') && text.length <= MAX_PARSED_STRING) {
      try {
        return JSON.stringify(walk(JSON.parse(text)));
      } catch {
        // Not JSON after all: read it as text.
      }
    }
    if (!text.includes('=')) return text;
    return text
      .split(/([\s?#&;])/)
      .map((part) => {
        const end = part.indexOf('=');
        return end > 0 && isSecretParameter(part.slice(0, end)) ? part.slice(0, end + 1) + REDACTED : part;
      })
      .join('');
  };

  const redact = <T>(value: T): T => {
    const seen = new WeakSet<object>();
    /** `parameters`: the node holds query parameters by name. */
    const walk = (node: unknown, parameters?: boolean): unknown => {
      if (typeof node === 'string') return redactString(node, walk);
      if (typeof node !== 'object' || node === null) return node;
      if (seen.has(node)) return '[Circular]';
      seen.add(node);
      if (Array.isArray(node)) return node.map((item) => walk(item));
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        out[key] =
          child !== undefined && child !== null && (parameters ? isSecretParameter : isSecretKey)(key)
            ? REDACTED
            : walk(child, /query/i.test(key));
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
    for (const [key, value] of Object.entries(query))
      params.append(key, isSecretParameter(key) ? REDACTED : value);
    return params.toString();
  };

  return { isSecretKey, replacer, redact, redactQuery };
}
