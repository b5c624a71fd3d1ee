/**
 * EventBridge's content filtering, also the language of SNS filter policies: a pattern is an
 * object whose leaves are arrays of conditions (any one may match); `$or` takes a list of
 * patterns. Conditions: exact values (strings, numbers compared as numbers, null, booleans),
 * `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`, `exists` and
 * `cidr` (IPv4). An array in the event matches when any of its elements does.
 */

export type EventPattern = Record<string, unknown>;

export class PatternError extends Error {
  override name = 'PatternError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True when `event` (an object) satisfies `pattern`. Throws PatternError for a malformed pattern. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(pattern)) throw new PatternError('an event pattern must be a JSON object');
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2)
        throw new PatternError('$or needs a list of at least two patterns');
      if (!expected.some((alternative) => matchesPattern(alternative as EventPattern, event))) return false;
      continue;
    }
    const present = isObject(event) && Object.hasOwn(event, key);
    const value = present ? event[key] : undefined;
    if (isObject(expected)) {
      if (!matchesPattern(expected, isObject(value) ? value : {})) return false;
    } else if (Array.isArray(expected)) {
      if (!matchesLeaf(expected, present, value)) return false;
    } else {
      throw new PatternError(`the pattern's value for "${key}" must be an array or an object`);
    }
  }
  return true;
}

/** Throws PatternError when any part of `pattern` is malformed (matching stops at the first miss). */
export function validatePattern(pattern: unknown): void {
  if (!isObject(pattern)) throw new PatternError('an event pattern must be a JSON object');
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2)
        throw new PatternError('$or needs a list of at least two patterns');
      expected.forEach(validatePattern);
    } else if (isObject(expected)) validatePattern(expected);
    else if (Array.isArray(expected)) {
      if (expected.length === 0) throw new PatternError('an empty list of conditions matches nothing');
      for (const condition of expected) {
        if (isObject(condition) && 'exists' in condition) {
          if (typeof condition.exists !== 'boolean') throw new PatternError('exists takes true or false');
          continue;
        }
        // Each operator checks its operand once it meets a value of its kind.
        for (const sample of ['x', 1]) matchesCondition(condition, sample);
      }
    } else throw new PatternError(`the pattern's value for "${key}" must be an array or an object`);
  }
}

function matchesLeaf(conditions: unknown[], present: boolean, value: unknown): boolean {
  if (conditions.length === 0) throw new PatternError('an empty list of conditions matches nothing');
  // Leaves only: an object in the event is not a value to compare.
  const values = present ? (Array.isArray(value) ? value : [value]).filter((v) => !isObject(v)) : [];
  return conditions.some((condition) => {
    if (isObject(condition) && 'exists' in condition) return condition.exists === values.length > 0;
    return values.some((candidate) => matchesCondition(condition, candidate));
  });
}

function matchesCondition(condition: unknown, value: unknown): boolean {
  if (!isObject(condition)) return sameValue(condition, value);
  const entries = Object.entries(condition);
  if (entries.length !== 1)
    throw new PatternError(`a condition has exactly one operator: ${JSON.stringify(condition)}`);
  const [operator, operand] = entries[0]!;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const ignoreCase = isObject(operand) && 'equals-ignore-case' in operand;
      const text = ignoreCase ? operand['equals-ignore-case'] : operand;
      if (typeof text !== 'string') throw new PatternError(`${operator} takes a string`);
      const [subject, affix] = ignoreCase ? [value.toLowerCase(), text.toLowerCase()] : [value, text];
      return operator === 'prefix' ? subject.startsWith(affix) : subject.endsWith(affix);
    }
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw new PatternError('equals-ignore-case takes a string');
      return typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      if (typeof operand !== 'string') throw new PatternError('wildcard takes a string');
      return typeof value === 'string' && wildcard(operand).test(value);
    case 'numeric':
      return typeof value === 'number' && numeric(operand, value);
    case 'cidr':
      if (typeof operand !== 'string') throw new PatternError('cidr takes a string');
      return typeof value === 'string' && inCidr(operand, value);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      throw new PatternError(`unknown operator "${operator}"`);
  }
}

function sameValue(expected: unknown, value: unknown): boolean {
  if (typeof expected === 'number' && typeof value === 'number') return expected === value;
  return expected === value;
}

function anythingBut(operand: unknown, value: unknown): boolean {
  if (isObject(operand)) {
    const [operator] = Object.keys(operand);
    if (
      operator === 'prefix' ||
      operator === 'suffix' ||
      operator === 'wildcard' ||
      operator === 'equals-ignore-case'
    ) {
      const inner = operand[operator];
      const list = Array.isArray(inner) ? inner : [inner];
      return typeof value === 'string' && !list.some((item) => matchesCondition({ [operator]: item }, value));
    }
    throw new PatternError(`anything-but does not take ${JSON.stringify(operand)}`);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return !excluded.some((item) => sameValue(item, value));
}

function numeric(operand: unknown, value: number): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0)
    throw new PatternError('numeric takes pairs of an operator and a number, e.g. [">", 0, "<=", 5]');
  for (let i = 0; i < operand.length; i += 2) {
    const [operator, bound] = [operand[i], operand[i + 1]];
    if (typeof bound !== 'number') throw new PatternError('numeric compares with numbers only');
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : undefined;
    if (ok === undefined) throw new PatternError(`unknown numeric operator ${JSON.stringify(operator)}`);
    if (!ok) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  const source = pattern
    .split(/(\\\*|\*)/)
    .map((part) =>
      part === '*' ? '.*' : (part === '\\*' ? '*' : part).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, 's');
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
    return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

function inCidr(cidr: string, value: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const network = ipv4(base);
  const bits = Number(bitsText);
  if (network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new PatternError(`cidr "${cidr}" is not an IPv4 block such as 10.0.0.0/24`);
  const address = ipv4(value);
  if (address === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}
