/**
 * A subset of CloudWatch metric math ("Metric math syntax and functions"):
 * numbers, query ids, + - * / ^, unary minus, comparisons (== != < <= > >=)
 * and AND/&&, OR/|| producing 1/0, [a, b] arrays, and the functions listed in
 * FUNCTIONS below (IF, FILL, MAX/MIN/SUM/AVG/STDDEV, ABS, ...).
 *
 * Series are aligned on the alarm's period timestamps. As CloudWatch
 * documents: arithmetic and comparisons between two series treat a value
 * missing on one side as 0 (missing on both sides stays missing); a division
 * by zero (or any non-finite result) drops the datapoint; IF follows the
 * tables of "Using IF expressions".
 */

export type ExpressionNode =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'id'; name: string }
  | { type: 'keyword'; name: string }
  | { type: 'unary'; op: '-'; operand: ExpressionNode }
  | { type: 'binary'; op: BinaryOperator; left: ExpressionNode; right: ExpressionNode }
  | { type: 'call'; name: string; args: ExpressionNode[] }
  | { type: 'array'; items: ExpressionNode[] };

export type BinaryOperator =
  '+' | '-' | '*' | '/' | '^' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

export type Scalar = { kind: 'scalar'; value: number | undefined };
export type Series = { kind: 'series'; values: (number | undefined)[] };
export type SeriesArray = { kind: 'array'; items: Series[] };
export type ExpressionValue = Scalar | Series | SeriesArray;

export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

export interface ExpressionContext {
  /** Period start of each position of every series, epoch ms, oldest first. */
  timestamps: readonly number[];
  periodSeconds: number;
  /** The value of another query of the alarm (a metric or an expression). */
  lookup(id: string): ExpressionValue;
  /** Ids of the MetricStat queries, for METRICS(). */
  metricIds: readonly string[];
}

// ---------------------------------------------------------------- parsing

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'end'; at: number };

const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '^',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  ',',
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (ch === '"' || ch === '“' || ch === '”') {
      const close = source.slice(i + 1).search(/["“”]/);
      if (close < 0) throw new ExpressionError(`unterminated string at position ${i + 1}`);
      tokens.push({ kind: 'string', value: source.slice(i + 1, i + 1 + close), at: i });
      i += close + 2;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new ExpressionError(`unexpected character ${JSON.stringify(ch)} at position ${i + 1}`);
    tokens.push({ kind: 'op', value: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Parses a metric math expression; throws ExpressionError with the position of the problem. */
export function parseExpression(source: string): ExpressionNode {
  if (typeof source !== 'string' || source.trim() === '') throw new ExpressionError('expression is empty');
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const describe = (token: Token) =>
    token.kind === 'end'
      ? 'end of expression'
      : `${JSON.stringify(String(token.value))} at position ${token.at + 1}`;
  const isOp = (value: string) => {
    const token = peek();
    return token.kind === 'op' && token.value === value;
  };
  const isWord = (value: string) => {
    const token = peek();
    return token.kind === 'name' && token.value === value;
  };
  const expect = (value: string) => {
    const token = next();
    if (token.kind !== 'op' || token.value !== value)
      throw new ExpressionError(`expected "${value}" but found ${describe(token)}`);
  };

  const parseOr = (): ExpressionNode => {
    let left = parseAnd();
    while (isOp('||') || isWord('OR')) {
      next();
      left = { type: 'binary', op: 'OR', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): ExpressionNode => {
    let left = parseComparison();
    while (isOp('&&') || isWord('AND')) {
      next();
      left = { type: 'binary', op: 'AND', left, right: parseComparison() };
    }
    return left;
  };
  const parseComparison = (): ExpressionNode => {
    let left = parseAdditive();
    for (let token = peek(); token.kind === 'op' && COMPARISONS.has(token.value); token = peek()) {
      next();
      left = { type: 'binary', op: token.value as BinaryOperator, left, right: parseAdditive() };
    }
    return left;
  };
  const parseAdditive = (): ExpressionNode => {
    let left = parseMultiplicative();
    while (isOp('+') || isOp('-')) {
      const op = (next() as { value: string }).value;
      left = { type: 'binary', op: op as BinaryOperator, left, right: parseMultiplicative() };
    }
    return left;
  };
  const parseMultiplicative = (): ExpressionNode => {
    let left = parseUnary();
    while (isOp('*') || isOp('/')) {
      const op = (next() as { value: string }).value;
      left = { type: 'binary', op: op as BinaryOperator, left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): ExpressionNode => {
    if (isOp('-')) {
      next();
      return { type: 'unary', op: '-', operand: parseUnary() };
    }
    if (isOp('+')) {
      next();
      return parseUnary();
    }
    return parsePower();
  };
  const parsePower = (): ExpressionNode => {
    const base = parsePrimary();
    if (isOp('^')) {
      next();
      return { type: 'binary', op: '^', left: base, right: parseUnary() };
    }
    return base;
  };
  const parseList = (close: string): ExpressionNode[] => {
    const items: ExpressionNode[] = [];
    if (isOp(close)) {
      next();
      return items;
    }
    for (;;) {
      items.push(parseOr());
      if (isOp(',')) {
        next();
        continue;
      }
      expect(close);
      return items;
    }
  };
  const parsePrimary = (): ExpressionNode => {
    const token = next();
    switch (token.kind) {
      case 'number':
        return { type: 'number', value: token.value };
      case 'string':
        return { type: 'string', value: token.value };
      case 'name': {
        if (isOp('(')) {
          next();
          return { type: 'call', name: token.value, args: parseList(')') };
        }
        if (/^[a-z]/.test(token.value)) return { type: 'id', name: token.value };
        return { type: 'keyword', name: token.value };
      }
      case 'op':
        if (token.value === '(') {
          const inner = parseOr();
          expect(')');
          return inner;
        }
        if (token.value === '[') return { type: 'array', items: parseList(']') };
        throw new ExpressionError(`unexpected ${describe(token)}`);
      case 'end':
        throw new ExpressionError('unexpected end of expression');
    }
  };

  const ast = parseOr();
  if (peek().kind !== 'end') throw new ExpressionError(`unexpected ${describe(peek())}`);
  validate(ast);
  return ast;
}

/** Ids of other queries an expression refers to (METRICS() counts as every metric). */
export function referencedIds(node: ExpressionNode): { ids: Set<string>; usesAllMetrics: boolean } {
  const ids = new Set<string>();
  let usesAllMetrics = false;
  const walk = (n: ExpressionNode): void => {
    switch (n.type) {
      case 'id':
        ids.add(n.name);
        return;
      case 'unary':
        return walk(n.operand);
      case 'binary':
        walk(n.left);
        return walk(n.right);
      case 'call':
        if (n.name === 'METRICS') usesAllMetrics = true;
        return n.args.forEach(walk);
      case 'array':
        return n.items.forEach(walk);
      default:
        return;
    }
  };
  walk(node);
  return { ids, usesAllMetrics };
}

function validate(node: ExpressionNode): void {
  switch (node.type) {
    case 'keyword':
      throw new ExpressionError(
        `${node.name} is not a query id (ids start with a lowercase letter) nor a function call; REPEAT and LINEAR are only valid inside FILL`,
      );
    case 'string':
      throw new ExpressionError(`a string is only valid as the argument of METRICS()`);
    case 'unary':
      return validate(node.operand);
    case 'binary':
      validate(node.left);
      return validate(node.right);
    case 'array':
      return node.items.forEach(validate);
    case 'call': {
      const fn = FUNCTIONS[node.name];
      if (!fn) {
        const known = Object.keys(FUNCTIONS).join(', ');
        throw new ExpressionError(
          `function ${node.name} is not supported by the sandbox (supported: ${known})`,
        );
      }
      if (node.args.length < fn.minArgs || node.args.length > fn.maxArgs) {
        const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
        throw new ExpressionError(`${node.name} takes ${expected} argument(s), got ${node.args.length}`);
      }
      node.args.forEach((arg, index) => {
        if (node.name === 'FILL' && index === 1 && arg.type === 'keyword') {
          if (arg.name !== 'REPEAT' && arg.name !== 'LINEAR') {
            throw new ExpressionError(`FILL accepts a number, a series, REPEAT or LINEAR, not ${arg.name}`);
          }
          return;
        }
        if (node.name === 'METRICS' && arg.type === 'string') return;
        validate(arg);
      });
      return;
    }
    default:
      return;
  }
}

// ------------------------------------------------------------- evaluation

const scalar = (value: number | undefined): Scalar => ({ kind: 'scalar', value: finite(value) });
const series = (values: (number | undefined)[]): Series => ({ kind: 'series', values: values.map(finite) });

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

export function evaluateExpression(node: ExpressionNode, context: ExpressionContext): ExpressionValue {
  switch (node.type) {
    case 'number':
      return scalar(node.value);
    case 'id':
      return context.lookup(node.name);
    case 'unary':
      return mapValue(evaluateExpression(node.operand, context), (v) => -v);
    case 'binary':
      return binary(node.op, evaluateExpression(node.left, context), evaluateExpression(node.right, context));
    case 'array': {
      const items: Series[] = [];
      for (const item of node.items) {
        const value = evaluateExpression(item, context);
        if (value.kind === 'series') items.push(value);
        else if (value.kind === 'array') items.push(...value.items);
        else throw new ExpressionError('an array [ ... ] can only hold time series');
      }
      return { kind: 'array', items };
    }
    case 'call':
      return FUNCTIONS[node.name]!.apply(node.args, context);
    case 'keyword':
    case 'string':
      throw new ExpressionError(`unexpected ${node.type} in expression`);
  }
}

function applyOperator(op: BinaryOperator, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '^':
      return a ** b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case 'AND':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'OR':
      return a !== 0 || b !== 0 ? 1 : 0;
  }
}

function binary(op: BinaryOperator, left: ExpressionValue, right: ExpressionValue): ExpressionValue {
  if (left.kind === 'array' && right.kind === 'array') {
    throw new ExpressionError(`operator ${op} cannot combine two arrays of time series`);
  }
  if (left.kind === 'array')
    return { kind: 'array', items: left.items.map((item) => binary(op, item, right) as Series) };
  if (right.kind === 'array')
    return { kind: 'array', items: right.items.map((item) => binary(op, left, item) as Series) };
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    return scalar(
      left.value === undefined || right.value === undefined
        ? undefined
        : applyOperator(op, left.value, right.value),
    );
  }
  if (left.kind === 'series' && right.kind === 'scalar') {
    return series(
      left.values.map((v) =>
        v === undefined || right.value === undefined ? undefined : applyOperator(op, v, right.value),
      ),
    );
  }
  if (left.kind === 'scalar' && right.kind === 'series') {
    return series(
      right.values.map((v) =>
        v === undefined || left.value === undefined ? undefined : applyOperator(op, left.value, v),
      ),
    );
  }
  const a = left as Series;
  const b = right as Series;
  return series(
    a.values.map((v, i) => {
      const w = b.values[i];
      if (v === undefined && w === undefined) return undefined;
      return applyOperator(op, v ?? 0, w ?? 0);
    }),
  );
}

function mapValue(value: ExpressionValue, fn: (v: number) => number | undefined): ExpressionValue {
  switch (value.kind) {
    case 'scalar':
      return scalar(value.value === undefined ? undefined : fn(value.value));
    case 'series':
      return series(value.values.map((v) => (v === undefined ? undefined : fn(v))));
    case 'array':
      return { kind: 'array', items: value.items.map((item) => mapValue(item, fn) as Series) };
  }
}

function mapSeries(value: ExpressionValue, name: string, fn: (s: Series) => Series): ExpressionValue {
  if (value.kind === 'series') return fn(value);
  if (value.kind === 'array') return { kind: 'array', items: value.items.map(fn) };
  throw new ExpressionError(`${name} needs a time series, got a scalar`);
}

function present(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined);
}

type Reducer = (values: number[]) => number | undefined;

const REDUCERS: Record<string, { reduce: Reducer; missingAsZeroAcrossArray: boolean }> = {
  MAX: { reduce: (v) => (v.length ? Math.max(...v) : undefined), missingAsZeroAcrossArray: false },
  MIN: { reduce: (v) => (v.length ? Math.min(...v) : undefined), missingAsZeroAcrossArray: false },
  SUM: {
    reduce: (v) => (v.length ? v.reduce((a, b) => a + b, 0) : undefined),
    missingAsZeroAcrossArray: true,
  },
  AVG: {
    reduce: (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined),
    missingAsZeroAcrossArray: true,
  },
  STDDEV: {
    reduce: (v) => {
      if (!v.length) return undefined;
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    },
    missingAsZeroAcrossArray: true,
  },
  DATAPOINT_COUNT: { reduce: (v) => v.length, missingAsZeroAcrossArray: false },
};

/**
 * MAX/MIN/SUM/AVG/STDDEV/DATAPOINT_COUNT: of one series, a scalar over all its
 * datapoints; of an array, a series across the array at each timestamp (SUM,
 * AVG and STDDEV count a missing value as 0 where another series has one).
 */
function reduction(name: string): FunctionSpec {
  const { reduce, missingAsZeroAcrossArray } = REDUCERS[name]!;
  return {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) => {
      const value = evaluateExpression(arg!, context);
      if (value.kind === 'scalar') return value;
      if (value.kind === 'series') return scalar(reduce(present(value.values)));
      return series(
        context.timestamps.map((_, i) => {
          const column = value.items.map((item) => item.values[i]);
          if (column.every((v) => v === undefined)) return name === 'DATAPOINT_COUNT' ? 0 : undefined;
          return reduce(missingAsZeroAcrossArray ? column.map((v) => v ?? 0) : present(column));
        }),
      );
    },
  };
}

function elementwise(fn: (v: number) => number): FunctionSpec {
  return {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) => mapValue(evaluateExpression(arg!, context), fn),
  };
}

function withPrevious(
  name: string,
  fn: (v: number, previous: number, seconds: number) => number | undefined,
): FunctionSpec {
  return {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) =>
      mapSeries(evaluateExpression(arg!, context), name, (s) => {
        let previous: { value: number; at: number } | undefined;
        return series(
          s.values.map((v, i) => {
            if (v === undefined) return undefined;
            const at = context.timestamps[i]!;
            const result =
              previous === undefined ? undefined : fn(v, previous.value, (at - previous.at) / 1000);
            previous = { value: v, at };
            return result;
          }),
        );
      }),
  };
}

interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  apply(args: ExpressionNode[], context: ExpressionContext): ExpressionValue;
}

function fill(target: Series, filler: ExpressionNode, context: ExpressionContext): Series {
  const values = [...target.values];
  if (filler.type === 'keyword' && filler.name === 'REPEAT') {
    let last: number | undefined;
    return series(values.map((v) => (v === undefined ? last : (last = v))));
  }
  if (filler.type === 'keyword' && filler.name === 'LINEAR') {
    return series(
      values.map((v, i) => {
        if (v !== undefined) return v;
        let before = i - 1;
        while (before >= 0 && values[before] === undefined) before--;
        let after = i + 1;
        while (after < values.length && values[after] === undefined) after++;
        if (before < 0 || after >= values.length) return undefined;
        const a = values[before]!;
        const b = values[after]!;
        return a + ((b - a) * (i - before)) / (after - before);
      }),
    );
  }
  const value = evaluateExpression(filler, context);
  if (value.kind === 'scalar') return series(values.map((v) => v ?? value.value));
  if (value.kind === 'series') return series(values.map((v, i) => v ?? value.values[i]));
  throw new ExpressionError('FILL cannot fill with an array of time series');
}

function truthy(value: number): boolean {
  return value !== 0;
}

/** IF(condition, trueValue[, falseValue]) as tabulated in "Using IF expressions". */
function conditional(args: ExpressionNode[], context: ExpressionContext): ExpressionValue {
  const condition = evaluateExpression(args[0]!, context);
  const whenTrue = evaluateExpression(args[1]!, context);
  const whenFalse = args[2] === undefined ? undefined : evaluateExpression(args[2], context);
  if (whenTrue.kind === 'array' || whenFalse?.kind === 'array') {
    throw new ExpressionError('IF cannot return an array of time series');
  }
  if (condition.kind === 'array')
    throw new ExpressionError('IF needs a single time series or a scalar as condition');
  if (condition.kind === 'scalar') {
    if (condition.value !== undefined && truthy(condition.value)) return whenTrue;
    return whenFalse ?? series(context.timestamps.map(() => undefined));
  }
  return series(
    condition.values.map((c, i) => {
      if (c === undefined) return undefined;
      if (truthy(c)) return whenTrue.kind === 'scalar' ? whenTrue.value : (whenTrue.values[i] ?? 0);
      if (whenFalse === undefined) return undefined;
      return whenFalse.kind === 'scalar' ? whenFalse.value : whenFalse.values[i];
    }),
  );
}

function requireArray(value: ExpressionValue, name: string): SeriesArray {
  if (value.kind === 'array') return value;
  if (value.kind === 'series') return { kind: 'array', items: [value] };
  throw new ExpressionError(`${name} needs an array of time series`);
}

const FUNCTIONS: Record<string, FunctionSpec> = {
  IF: { minArgs: 2, maxArgs: 3, apply: conditional },
  FILL: {
    minArgs: 2,
    maxArgs: 2,
    apply: ([target, filler], context) =>
      mapSeries(evaluateExpression(target!, context), 'FILL', (s) => fill(s, filler!, context)),
  },
  MAX: reduction('MAX'),
  MIN: reduction('MIN'),
  SUM: reduction('SUM'),
  AVG: reduction('AVG'),
  STDDEV: reduction('STDDEV'),
  DATAPOINT_COUNT: reduction('DATAPOINT_COUNT'),
  ABS: elementwise(Math.abs),
  CEIL: elementwise(Math.ceil),
  FLOOR: elementwise(Math.floor),
  LOG: elementwise(Math.log),
  LOG10: elementwise(Math.log10),
  DIFF: withPrevious('DIFF', (v, previous) => v - previous),
  RATE: withPrevious('RATE', (v, previous, seconds) => (seconds > 0 ? (v - previous) / seconds : undefined)),
  RUNNING_SUM: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) =>
      mapSeries(evaluateExpression(arg!, context), 'RUNNING_SUM', (s) => {
        let total = 0;
        return series(s.values.map((v) => (v === undefined ? undefined : (total += v))));
      }),
  },
  PERIOD: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) => {
      if (evaluateExpression(arg!, context).kind === 'scalar')
        throw new ExpressionError('PERIOD needs a metric');
      return scalar(context.periodSeconds);
    },
  },
  TIME_SERIES: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) => {
      const value = evaluateExpression(arg!, context);
      if (value.kind !== 'scalar') throw new ExpressionError('TIME_SERIES needs a scalar');
      return series(context.timestamps.map(() => value.value));
    },
  },
  METRICS: {
    minArgs: 0,
    maxArgs: 1,
    apply: (args, context) => {
      const filter = args[0];
      if (filter !== undefined && filter.type !== 'string')
        throw new ExpressionError('METRICS takes an optional string');
      const ids = context.metricIds.filter((id) => filter === undefined || id.includes(filter.value));
      return { kind: 'array', items: ids.map((id) => context.lookup(id) as Series) };
    },
  },
  METRIC_COUNT: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) =>
      scalar(requireArray(evaluateExpression(arg!, context), 'METRIC_COUNT').items.length),
  },
  FIRST: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) =>
      requireArray(evaluateExpression(arg!, context), 'FIRST').items[0] ?? emptySeries(context),
  },
  LAST: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) =>
      requireArray(evaluateExpression(arg!, context), 'LAST').items.at(-1) ?? emptySeries(context),
  },
  REMOVE_EMPTY: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([arg], context) => ({
      kind: 'array',
      items: requireArray(evaluateExpression(arg!, context), 'REMOVE_EMPTY').items.filter((s) =>
        s.values.some((v) => v !== undefined),
      ),
    }),
  },
};

function emptySeries(context: ExpressionContext): Series {
  return series(context.timestamps.map(() => undefined));
}

export const SUPPORTED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);
