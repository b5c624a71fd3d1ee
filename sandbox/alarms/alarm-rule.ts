import type { AlarmState } from './types.js';

/**
 * Composite alarm rules (PutCompositeAlarm `AlarmRule`): ALARM(x), OK(x),
 * INSUFFICIENT_DATA(x) where x is an alarm name or ARN, quoted or not; TRUE,
 * FALSE; NOT, AND, OR (in that order of precedence) and parentheses.
 */
export type RuleNode =
  | { type: 'constant'; value: boolean }
  | { type: 'state'; state: AlarmState; alarm: string }
  | { type: 'not'; operand: RuleNode }
  | { type: 'and' | 'or'; left: RuleNode; right: RuleNode };

export class AlarmRuleError extends Error {
  override name = 'AlarmRuleError';
}

const STATE_FUNCTIONS: Record<string, AlarmState> = {
  ALARM: 'ALARM',
  OK: 'OK',
  INSUFFICIENT_DATA: 'INSUFFICIENT_DATA',
};

export function parseAlarmRule(rule: string): RuleNode {
  if (typeof rule !== 'string' || rule.trim() === '') throw new AlarmRuleError('alarm rule is empty');
  let i = 0;
  const fail = (message: string): never => {
    throw new AlarmRuleError(`${message} at position ${i + 1} of alarm rule ${JSON.stringify(rule)}`);
  };
  const skipSpace = () => {
    while (i < rule.length && /\s/.test(rule[i]!)) i++;
  };
  const peekWord = (): string | undefined => {
    skipSpace();
    return /^[A-Za-z_]+/.exec(rule.slice(i))?.[0];
  };
  const eat = (char: string) => {
    skipSpace();
    if (rule[i] !== char) fail(`expected "${char}"`);
    i++;
  };

  const parseOr = (): RuleNode => {
    let left = parseAnd();
    while (peekWord() === 'OR') {
      i += 2;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): RuleNode => {
    let left = parseNot();
    while (peekWord() === 'AND') {
      i += 3;
      left = { type: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): RuleNode => {
    if (peekWord() === 'NOT') {
      i += 3;
      return { type: 'not', operand: parseNot() };
    }
    return parseAtom();
  };
  const parseAlarmReference = (): string => {
    skipSpace();
    if (rule[i] === '"') {
      let value = '';
      i++;
      while (i < rule.length && rule[i] !== '"') {
        if (rule[i] === '\\' && i + 1 < rule.length) i++;
        value += rule[i];
        i++;
      }
      if (i >= rule.length) fail('unterminated quoted alarm name');
      i++;
      return value;
    }
    const close = rule.indexOf(')', i);
    if (close < 0) fail('expected ")"');
    const value = rule.slice(i, close).trim();
    i = close;
    return value;
  };
  const parseAtom = (): RuleNode => {
    skipSpace();
    if (rule[i] === '(') {
      i++;
      const inner = parseOr();
      eat(')');
      return inner;
    }
    const word = peekWord();
    if (word === undefined)
      return fail(i >= rule.length ? 'unexpected end' : `unexpected ${JSON.stringify(rule[i])}`);
    i += word.length;
    if (word === 'TRUE' || word === 'FALSE') return { type: 'constant', value: word === 'TRUE' };
    const state = STATE_FUNCTIONS[word];
    if (!state) {
      i -= word.length;
      return fail(
        `unknown word ${JSON.stringify(word)} (expected ALARM, OK, INSUFFICIENT_DATA, TRUE, FALSE, NOT or a parenthesis)`,
      );
    }
    eat('(');
    const alarm = parseAlarmReference();
    if (alarm === '') fail(`${word}() needs an alarm name or ARN`);
    eat(')');
    return { type: 'state', state, alarm };
  };

  const node = parseOr();
  skipSpace();
  if (i < rule.length) fail(`unexpected ${JSON.stringify(rule.slice(i, i + 10))}`);
  return node;
}

export function evaluateAlarmRule(node: RuleNode, stateOf: (alarm: string) => AlarmState): boolean {
  switch (node.type) {
    case 'constant':
      return node.value;
    case 'state':
      return stateOf(node.alarm) === node.state;
    case 'not':
      return !evaluateAlarmRule(node.operand, stateOf);
    case 'and':
      return evaluateAlarmRule(node.left, stateOf) && evaluateAlarmRule(node.right, stateOf);
    case 'or':
      return evaluateAlarmRule(node.left, stateOf) || evaluateAlarmRule(node.right, stateOf);
  }
}

/** The alarm names/ARNs a rule refers to, each once, in order of appearance. */
export function ruleReferences(node: RuleNode): string[] {
  const found: string[] = [];
  const walk = (n: RuleNode): void => {
    if (n.type === 'state') {
      if (!found.includes(n.alarm)) found.push(n.alarm);
    } else if (n.type === 'not') walk(n.operand);
    else if (n.type === 'and' || n.type === 'or') {
      walk(n.left);
      walk(n.right);
    }
  };
  walk(node);
  return found;
}

/** The state(x) terms of a rule, for naming the children that triggered a composite alarm. */
export function ruleTerms(node: RuleNode): { state: AlarmState; alarm: string }[] {
  const terms: { state: AlarmState; alarm: string }[] = [];
  const walk = (n: RuleNode): void => {
    if (n.type === 'state') terms.push({ state: n.state, alarm: n.alarm });
    else if (n.type === 'not') walk(n.operand);
    else if (n.type === 'and' || n.type === 'or') {
      walk(n.left);
      walk(n.right);
    }
  };
  walk(node);
  return terms;
}
