/**
 * CloudWatch Logs filter patterns, as subscription filters apply them to each log event.
 *
 * Understood: the empty pattern (every event); terms and quoted phrases, all of which must appear
 * (case-sensitive), `-term` to exclude, `?term` for any of several (`?a b ?c`: a and b, or c);
 * JSON patterns `{ ... }` with
 * `$.a.b[0]` selectors, `=` `!=` (strings, `*` wildcards, numbers), `<` `<=` `>` `>=` (numbers),
 * `IS TRUE|FALSE|NULL`, `NOT EXISTS`, `&&`, `||` and parentheses. Refused, with the reason:
 * regular expressions (`%...%`), space-delimited patterns (`[...]`), and `?` groups mixed with
 * `-term`s or after plain terms. The caller decides what a refused pattern does.
 */

export type CompiledPattern =
  | { readonly supported: true; matches(message: string): boolean }
  | { readonly supported: false; readonly reason: string };

export class UnsupportedPattern extends Error {
  override readonly name = 'UnsupportedPattern';
}

export function compileFilterPattern(pattern: string): CompiledPattern {
  try {
    const text = pattern.trim();
    if (text === '') return { supported: true, matches: () => true };
    if (text.startsWith('{')) return { supported: true, matches: jsonMatcher(text) };
    if (text.startsWith('[')) throw new UnsupportedPattern('space-delimited patterns ([w1, w2, ...])');
    return { supported: true, matches: termMatcher(text) };
  } catch (error) {
    if (error instanceof UnsupportedPattern) return { supported: false, reason: error.message };
    throw error;
  }
}

// ---- terms ----

interface Term {
  readonly kind: 'all' | 'any' | 'none';
  readonly text: string;
}

function termMatcher(pattern: string): (message: string) => boolean {
  const terms: Term[] = [];
  for (let i = 0; i < pattern.length;) {
    if (/\s/.test(pattern[i]!)) {
      i++;
      continue;
    }
    const kind = pattern[i] === '?' ? 'any' : pattern[i] === '-' ? 'none' : 'all';
    if (kind !== 'all') i++;
    let text: string;
    if (pattern[i] === '"') {
      const [phrase, end] = quoted(pattern, i);
      text = phrase;
      i = end;
    } else {
      const start = i;
      while (i < pattern.length && !/\s/.test(pattern[i]!)) i++;
      text = pattern.slice(start, i);
    }
    if (text.startsWith('%')) throw new UnsupportedPattern('regular expressions (%...%)');
    if (text === '') throw new UnsupportedPattern(`an empty term at "${pattern}"`);
    terms.push({ kind, text });
  }
  if (terms.some((t) => t.kind === 'any')) {
    // Term groups (CDK's anyTermGroup): each ?term starts a group, plain terms after it join it;
    // a group matches when all its terms appear, the pattern when any group does.
    if (terms[0]!.kind !== 'any' || terms.some((t) => t.kind === 'none'))
      throw new UnsupportedPattern('?terms mixed with -excluded terms or after plain terms');
    const groups: string[][] = [];
    for (const t of terms) {
      if (t.kind === 'any') groups.push([t.text]);
      else groups.at(-1)!.push(t.text);
    }
    return (message) => groups.some((group) => group.every((text) => message.includes(text)));
  }
  return (message) =>
    terms.every((t) => (t.kind === 'none' ? !message.includes(t.text) : message.includes(t.text)));
}

/** A double-quoted string starting at `start`: its text (with `\"` and `\\` unescaped) and the index after it. */
function quoted(text: string, start: number): [string, number] {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) out += text[++i];
    else if (c === '"') return [out, i + 1];
    else out += c;
  }
  throw new UnsupportedPattern(`an unterminated quoted string in ${text}`);
}

// ---- JSON ----

type Json = unknown;
type Node = (event: Json) => boolean;
type Step = string | number;

const OPERATORS = ['!=', '<=', '>=', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

function jsonMatcher(pattern: string): (message: string) => boolean {
  if (!pattern.endsWith('}')) throw new UnsupportedPattern(`a JSON pattern must end with }: ${pattern}`);
  const parser = new JsonPatternParser(pattern.slice(1, -1));
  const node = parser.parse();
  return (message) => {
    const text = message.trim();
    if (!text.startsWith('{') && !text.startsWith('[')) return false;
    let event: Json;
    try {
      event = JSON.parse(text);
    } catch {
      return false;
    }
    return node(event);
  };
}

class JsonPatternParser {
  private i = 0;
  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.or();
    this.space();
    if (this.i < this.text.length) this.fail(`unexpected "${this.text.slice(this.i)}"`);
    return node;
  }

  private or(): Node {
    const parts = [this.and()];
    while (this.take('||')) parts.push(this.and());
    return parts.length === 1 ? parts[0]! : (event) => parts.some((part) => part(event));
  }

  private and(): Node {
    const parts = [this.primary()];
    while (this.take('&&')) parts.push(this.primary());
    return parts.length === 1 ? parts[0]! : (event) => parts.every((part) => part(event));
  }

  private primary(): Node {
    if (this.take('(')) {
      const inner = this.or();
      if (!this.take(')')) this.fail('a ( without its )');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Node {
    const path = this.selector();
    const read = (event: Json) => valueAt(event, path);
    if (this.takeWord('IS')) {
      if (this.takeWord('TRUE')) return (event) => read(event) === true;
      if (this.takeWord('FALSE')) return (event) => read(event) === false;
      if (this.takeWord('NULL')) return (event) => read(event) === null;
      this.fail('IS must be followed by TRUE, FALSE or NULL');
    }
    if (this.takeWord('NOT')) {
      if (this.takeWord('EXISTS')) return (event) => read(event) === undefined;
      this.fail('NOT must be followed by EXISTS');
    }
    const operator = OPERATORS.find((op) => this.take(op));
    if (!operator) this.fail('expected =, !=, <, <=, >, >=, IS or NOT EXISTS after the selector');
    const compare = this.value(operator!);
    return (event) => {
      const value = read(event);
      return value !== undefined && compare(value);
    };
  }

  /** `$.a.b[0].c` → ['a', 'b', 0, 'c']. */
  private selector(): Step[] {
    this.space();
    if (this.text[this.i] !== '$') this.fail('expected a $. selector');
    this.i++;
    const path: Step[] = [];
    for (;;) {
      const c = this.text[this.i];
      if (c === '.') {
        this.i++;
        const start = this.i;
        while (this.i < this.text.length && !/[\s.[\]=!<>()&|]/.test(this.text[this.i]!)) this.i++;
        if (this.i === start) this.fail('an empty name in the selector');
        path.push(this.text.slice(start, this.i));
      } else if (c === '[') {
        const end = this.text.indexOf(']', this.i);
        const index = this.text.slice(this.i + 1, end);
        if (end < 0 || !/^\d+$/.test(index)) this.fail('array selectors take a number: [0]');
        path.push(Number(index));
        this.i = end + 1;
      } else break;
    }
    if (path.length === 0) this.fail('a selector needs at least one field: $.field');
    return path;
  }

  private value(operator: Operator): (value: Json) => boolean {
    this.space();
    if (this.text[this.i] === '%') throw new UnsupportedPattern('regular expressions (%...%)');
    let raw: string;
    let isQuoted = false;
    if (this.text[this.i] === '"') {
      [raw, this.i] = quoted(this.text, this.i);
      isQuoted = true;
    } else {
      const start = this.i;
      while (this.i < this.text.length && !/[\s()&|]/.test(this.text[this.i]!)) this.i++;
      raw = this.text.slice(start, this.i);
      if (raw === '') this.fail(`a value after ${operator}`);
    }
    const number = !isQuoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : undefined;
    if (operator !== '=' && operator !== '!=') {
      if (number === undefined) this.fail(`${operator} compares numbers, got ${raw}`);
      return (value) =>
        typeof value === 'number' &&
        (operator === '<'
          ? value < number!
          : operator === '<='
            ? value <= number!
            : operator === '>'
              ? value > number!
              : value >= number!);
    }
    const equal: (value: Json) => boolean =
      number !== undefined
        ? (value) => typeof value === 'number' && value === number
        : (
            (pattern) => (value) =>
              typeof value === 'string' && pattern.test(value)
          )(wildcard(raw));
    return operator === '=' ? equal : (value) => !equal(value);
  }

  private space(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private take(token: string): boolean {
    this.space();
    if (!this.text.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }

  private takeWord(word: string): boolean {
    this.space();
    const next = this.text.slice(this.i, this.i + word.length);
    if (next.toUpperCase() !== word || /\w/.test(this.text[this.i + word.length] ?? '')) return false;
    this.i += word.length;
    return true;
  }

  private fail(message: string): never {
    throw new UnsupportedPattern(`${message} (at ${this.i} in {${this.text}})`);
  }
}

function valueAt(event: Json, path: readonly Step[]): Json {
  let value = event;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof step === 'number' ? !Array.isArray(value) : Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string | number, Json>)[step];
  }
  return value;
}

function wildcard(text: string): RegExp {
  const body = text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${body}$`);
}
