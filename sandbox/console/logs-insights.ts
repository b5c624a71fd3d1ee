/**
 * Enough of CloudWatch Logs Insights to run a dashboard's log widget against the sandbox's log
 * store: `SOURCE`, `fields`, `display`, `filter` (comparisons, `in`, `like`, `=~`, `ispresent`,
 * `and`/`or`/`not`), `sort` and `limit`. Anything else (`stats`, `parse`...) is refused by name, so
 * the widget says what it cannot show instead of showing something wrong.
 */
import { MAX_SEARCH_LIMIT, type LogRecord, type LogSource } from './logs.js';

export class LogsQueryError extends Error {
  override name = 'LogsQueryError';
}

type Value = string | number | boolean | undefined;

type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: string | number }
  | { kind: 'in'; field: string; values: (string | number)[]; negated: boolean }
  | { kind: 'match'; field: string; pattern: RegExp; negated: boolean }
  | { kind: 'present'; field: string };

export interface LogsQuery {
  logGroupNames: string[];
  /** Columns to show, as written (`@timestamp`, `error.name`); empty: `@timestamp` and `@message`. */
  fields: { name: string; label: string }[];
  filters: Condition[];
  sort?: { field: string; descending: boolean };
  limit: number;
}

export interface LogsQueryResult {
  columns: string[];
  rows: (string | number | boolean | null)[][];
  /** Log groups of the query that no sandbox function writes to. */
  unknownLogGroups: string[];
}

const DEFAULT_LIMIT = 1000;
const UNSUPPORTED = new Set(['stats', 'parse', 'dedup', 'unmask', 'pattern', 'diff', 'anomaly', 'lookup']);

/** Splits on `|` outside quotes, brackets and /regex/. */
function splitCommands(query: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i]!;
    if (quote) {
      current += ch;
      if (ch === '\\' && i + 1 < query.length) current += query[++i];
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '/' && /\b(?:like|=~)\s*$/i.test(current)) quote = '/';
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === '|' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === separator && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

function fieldItem(command: string, item: string): { name: string; label: string } {
  const match = /^([@\w.]+)(?:\s+as\s+([@\w.]+))?$/i.exec(item.trim());
  if (!match)
    throw new LogsQueryError(
      `${command} ${JSON.stringify(item)}: only field names (with "as alias") are supported`,
    );
  return { name: match[1]!, label: match[2] ?? match[1]! };
}

export function parseLogsQuery(query: string): LogsQuery {
  const parsed: LogsQuery = { logGroupNames: [], fields: [], filters: [], limit: DEFAULT_LIMIT };
  for (const command of splitCommands(query)) {
    const match = /^([A-Za-z]+)\b\s*([\s\S]*)$/.exec(command);
    if (!match) throw new LogsQueryError(`cannot read the query command ${JSON.stringify(command)}`);
    const name = match[1]!.toLowerCase();
    const rest = match[2]!.trim();
    switch (name) {
      case 'source': {
        const group = /^(['"])(.*)\1/.exec(rest);
        if (!group) throw new LogsQueryError('SOURCE needs a quoted log group name');
        parsed.logGroupNames.push(group[2]!);
        break;
      }
      case 'fields':
        parsed.fields.push(...splitTopLevel(rest, ',').map((item) => fieldItem(name, item)));
        break;
      case 'display':
        // display picks the columns, by name or by an alias that fields gave.
        parsed.fields = splitTopLevel(rest, ',').map((item) => {
          const wanted = fieldItem(name, item);
          return parsed.fields.find((field) => field.label === wanted.name) ?? wanted;
        });
        break;
      case 'filter':
        parsed.filters.push(parseCondition(rest));
        break;
      case 'sort': {
        const sort = /^([@\w.]+)(?:\s+(asc|desc))?$/i.exec(rest);
        if (!sort) throw new LogsQueryError(`sort ${JSON.stringify(rest)}: expected "sort field [asc|desc]"`);
        parsed.sort = { field: sort[1]!, descending: sort[2]?.toLowerCase() !== 'asc' };
        break;
      }
      case 'limit': {
        const limit = Number(rest);
        if (!Number.isInteger(limit) || limit < 1)
          throw new LogsQueryError('limit must be a positive integer');
        parsed.limit = Math.min(limit, 10_000);
        break;
      }
      default:
        throw new LogsQueryError(
          UNSUPPORTED.has(name)
            ? `the sandbox does not run "${name}" commands; open the query in CloudWatch Logs Insights`
            : `unknown query command "${match[1]}"`,
        );
    }
  }
  return parsed;
}

// ------------------------------------------------------------------ filter conditions

type Token = { kind: 'word' | 'string' | 'number' | 'regex' | 'op'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s+|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\/(?:[^/\\]|\\.)+\/[a-z]*)|(-?\d+(?:\.\d+)?)(?![\w.])|(!=|<=|>=|=~|==|[=<>()[\],!])|([@\w.]+)/gy;
  let index = 0;
  while (index < source.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match)
      throw new LogsQueryError(
        `cannot read the filter at ${JSON.stringify(source.slice(index, index + 20))}`,
      );
    index = pattern.lastIndex;
    const [whole, string, regex, number, op, word] = match;
    const previous = tokens.at(-1);
    const regexAllowed =
      previous?.kind === 'op' ? previous.text === '=~' : /^(like)$/i.test(previous?.text ?? '');
    if (string !== undefined)
      tokens.push({ kind: 'string', text: string.slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (regex !== undefined && regexAllowed) tokens.push({ kind: 'regex', text: regex });
    else if (regex !== undefined) throw new LogsQueryError(`unexpected ${regex}`);
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (op !== undefined) tokens.push({ kind: 'op', text: op === '==' ? '=' : op });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word });
    else if (whole.trim() !== '') throw new LogsQueryError(`unexpected ${whole}`);
  }
  return tokens;
}

function parseCondition(source: string): Condition {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const isWord = (word: string) => peek()?.kind === 'word' && peek()!.text.toLowerCase() === word;
  const isOp = (op: string) => peek()?.kind === 'op' && peek()!.text === op;
  const expectOp = (op: string) => {
    if (!isOp(op)) throw new LogsQueryError(`filter ${JSON.stringify(source)}: expected "${op}"`);
    position++;
  };
  const literal = (): string | number => {
    const token = tokens[position++];
    if (token?.kind === 'string') return token.text;
    if (token?.kind === 'number') return Number(token.text);
    throw new LogsQueryError(`filter ${JSON.stringify(source)}: expected a quoted string or a number`);
  };

  const parseOr = (): Condition => {
    let left = parseAnd();
    while (isWord('or')) {
      position++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Condition => {
    let left = parseUnary();
    while (isWord('and')) {
      position++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Condition => {
    if (isWord('not') || isOp('!')) {
      position++;
      return { kind: 'not', operand: parseUnary() };
    }
    if (isOp('(')) {
      position++;
      const inner = parseOr();
      expectOp(')');
      return inner;
    }
    return parsePredicate();
  };
  const parsePredicate = (): Condition => {
    const first = tokens[position++];
    if (first?.kind !== 'word')
      throw new LogsQueryError(`filter ${JSON.stringify(source)}: expected a field name`);
    if (first.text.toLowerCase() === 'ispresent' && isOp('(')) {
      position++;
      const field = tokens[position++];
      if (field?.kind !== 'word') throw new LogsQueryError('ispresent() needs a field name');
      expectOp(')');
      return { kind: 'present', field: field.text };
    }
    const field = first.text;
    const negated = isWord('not');
    if (negated) position++;
    if (isWord('in')) {
      position++;
      expectOp('[');
      const values: (string | number)[] = [];
      while (!isOp(']')) {
        values.push(literal());
        if (isOp(',')) position++;
        else if (!isOp(']'))
          throw new LogsQueryError(`filter ${JSON.stringify(source)}: expected "," or "]"`);
      }
      position++;
      return { kind: 'in', field, values, negated };
    }
    if (isWord('like') || isOp('=~')) {
      position++;
      const token = tokens[position++];
      let pattern: RegExp;
      if (token?.kind === 'regex') {
        const end = token.text.lastIndexOf('/');
        pattern = new RegExp(token.text.slice(1, end), token.text.slice(end + 1).replace(/[^imsu]/g, ''));
      } else if (token?.kind === 'string') {
        pattern = new RegExp(token.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      } else
        throw new LogsQueryError(`filter ${JSON.stringify(source)}: like needs a /regex/ or a quoted string`);
      return { kind: 'match', field, pattern, negated };
    }
    if (negated)
      throw new LogsQueryError(`filter ${JSON.stringify(source)}: "not" must come before in or like`);
    const op = tokens[position++];
    if (op?.kind !== 'op' || !['=', '!=', '<', '<=', '>', '>='].includes(op.text)) {
      throw new LogsQueryError(`filter ${JSON.stringify(source)}: expected a comparison after ${field}`);
    }
    return { kind: 'compare', field, op: op.text as '=', value: literal() };
  };

  const condition = parseOr();
  if (position < tokens.length) {
    throw new LogsQueryError(
      `filter ${JSON.stringify(source)}: unexpected ${JSON.stringify(tokens[position]!.text)}`,
    );
  }
  return condition;
}

// ------------------------------------------------------------------ running

export interface LogWidgetData {
  index: number;
  columns: string[];
  rows: (string | number | boolean | null)[][];
  /** Why the widget shows nothing or less than CloudWatch would. */
  problems: string[];
}

/** Rows for a dashboard log widget; a query the sandbox cannot run gives a problem instead. */
export function computeLogWidgetData(
  widget: { index: number; query: string },
  source: LogSource,
  maxRows = 100,
): LogWidgetData {
  try {
    const result = runLogsQuery(widget.query, source);
    return {
      index: widget.index,
      columns: result.columns,
      rows: result.rows.slice(0, maxRows),
      problems: result.unknownLogGroups.length
        ? [`no sandbox function writes to ${result.unknownLogGroups.join(', ')} yet`]
        : [],
    };
  } catch (error) {
    if (!(error instanceof LogsQueryError)) throw error;
    return { index: widget.index, columns: [], rows: [], problems: [error.message] };
  }
}

/** The log group Lambda writes a function's lines to. */
export const logGroupOf = (functionName: string) => `/aws/lambda/${functionName}`;

export function fieldOf(record: LogRecord, field: string): Value {
  switch (field) {
    case '@timestamp':
      return record.timestamp;
    case '@message':
      return record.raw;
    case '@log':
    case '@logStream':
      return logGroupOf(record.functionName);
    case '@requestId':
      return record.requestId;
  }
  let value: unknown = record.fields;
  for (const part of field.split('.')) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : (value as Value);
}

function compare(a: Value, b: string | number): number | undefined {
  if (a === undefined) return undefined;
  if (typeof b === 'number') {
    const n = typeof a === 'number' ? a : Number(a);
    return Number.isFinite(n) ? n - b : undefined;
  }
  const text = String(a);
  return text < b ? -1 : text > b ? 1 : 0;
}

type FieldReader = (record: LogRecord, field: string) => Value;

function matches(record: LogRecord, condition: Condition, fieldOf: FieldReader): boolean {
  switch (condition.kind) {
    case 'and':
      return matches(record, condition.left, fieldOf) && matches(record, condition.right, fieldOf);
    case 'or':
      return matches(record, condition.left, fieldOf) || matches(record, condition.right, fieldOf);
    case 'not':
      return !matches(record, condition.operand, fieldOf);
    case 'present':
      return fieldOf(record, condition.field) !== undefined;
    case 'in': {
      const value = fieldOf(record, condition.field);
      const found =
        value !== undefined && condition.values.some((candidate) => compare(value, candidate) === 0);
      return condition.negated ? !found : found;
    }
    case 'match': {
      const value = fieldOf(record, condition.field);
      const found = value !== undefined && condition.pattern.test(String(value));
      return condition.negated ? !found : found;
    }
    case 'compare': {
      const difference = compare(fieldOf(record, condition.field), condition.value);
      // As in Logs Insights, a line without the field (or not a number where one is compared) does not match.
      if (difference === undefined) return false;
      switch (condition.op) {
        case '=':
          return difference === 0;
        case '!=':
          return difference !== 0;
        case '<':
          return difference < 0;
        case '<=':
          return difference <= 0;
        case '>':
          return difference > 0;
        case '>=':
          return difference >= 0;
      }
    }
  }
}

/**
 * Runs a query over the newest lines of the store (at most MAX_SEARCH_LIMIT are looked at).
 * Lines of functions whose log group the query does not name are left out.
 */
export function runLogsQuery(query: string | LogsQuery, source: LogSource): LogsQueryResult {
  const parsed = typeof query === 'string' ? parseLogsQuery(query) : query;
  const known = new Set((source.functionNames?.() ?? []).map(logGroupOf));
  const groups = new Set(parsed.logGroupNames);
  // Names given with "fields x as y" can be used by later commands.
  const aliases = new Map(parsed.fields.map((field) => [field.label, field.name]));
  const read: FieldReader = (record, field) => fieldOf(record, aliases.get(field) ?? field);
  let records = source.search({ limit: MAX_SEARCH_LIMIT });
  if (groups.size > 0) records = records.filter((record) => groups.has(logGroupOf(record.functionName)));
  records = records.filter((record) => parsed.filters.every((condition) => matches(record, condition, read)));
  const sort = parsed.sort ?? { field: '@timestamp', descending: true };
  records = [...records].sort((a, b) => {
    const x = read(a, sort.field);
    const y = read(b, sort.field);
    if (x === y) return 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
    return sort.descending ? -order : order;
  });
  const fields = parsed.fields.length
    ? parsed.fields
    : [
        { name: '@timestamp', label: '@timestamp' },
        { name: '@message', label: '@message' },
      ];
  return {
    columns: fields.map((field) => field.label),
    rows: records
      .slice(0, parsed.limit)
      .map((record) => fields.map((field) => fieldOf(record, field.name) ?? null)),
    unknownLogGroups: parsed.logGroupNames.filter((group) => !known.has(group)),
  };
}
