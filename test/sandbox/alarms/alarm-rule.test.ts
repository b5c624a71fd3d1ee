import {
  AlarmRuleError,
  evaluateAlarmRule,
  parseAlarmRule,
  ruleReferences,
} from '../../../sandbox/alarms/alarm-rule.js';
import type { AlarmState } from '../../../sandbox/alarms/types.js';

function holds(rule: string, states: Record<string, AlarmState>): boolean {
  return evaluateAlarmRule(parseAlarmRule(rule), (alarm) => {
    const state = states[alarm];
    if (!state) throw new Error(`test has no state for ${alarm}`);
    return state;
  });
}

describe('composite alarm rules', () => {
  const states: Record<string, AlarmState> = {
    Errors: 'ALARM',
    Latency: 'OK',
    Deploying: 'INSUFFICIENT_DATA',
    'arn:aws:cloudwatch:us-east-1:123456789012:alarm:Errors': 'ALARM',
  };

  it('evaluates ALARM, OK and INSUFFICIENT_DATA with quoted and bare names', () => {
    expect(holds('ALARM("Errors")', states)).toBe(true);
    expect(holds('ALARM(Errors)', states)).toBe(true);
    expect(holds('OK(Latency)', states)).toBe(true);
    expect(holds('ALARM(Latency)', states)).toBe(false);
    expect(holds('INSUFFICIENT_DATA( Deploying )', states)).toBe(true);
  });

  it('accepts ARNs, as CDK renders them', () => {
    expect(holds('ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:Errors")', states)).toBe(true);
  });

  it('combines with AND, OR, NOT (NOT binds tightest, then AND, then OR)', () => {
    expect(holds('ALARM(Errors) AND ALARM(Latency)', states)).toBe(false);
    expect(holds('ALARM(Errors) OR ALARM(Latency)', states)).toBe(true);
    expect(holds('ALARM(Errors) AND NOT ALARM(Latency)', states)).toBe(true);
    expect(holds('NOT ALARM(Errors) OR OK(Latency)', states)).toBe(true);
    expect(holds('ALARM(Latency) AND ALARM(Errors) OR ALARM(Errors)', states)).toBe(true);
    expect(holds('ALARM(Latency) AND (ALARM(Errors) OR ALARM(Errors))', states)).toBe(false);
    expect(
      holds('(ALARM("Errors") OR ALARM("Latency")) AND (NOT (INSUFFICIENT_DATA("Deploying")))', states),
    ).toBe(false);
  });

  it('supports TRUE and FALSE', () => {
    expect(holds('TRUE', {})).toBe(true);
    expect(holds('FALSE OR TRUE', {})).toBe(true);
    expect(holds('NOT TRUE', {})).toBe(false);
  });

  it('lists each referenced alarm once', () => {
    expect(ruleReferences(parseAlarmRule('ALARM(a) OR (OK("b") AND NOT ALARM(a))'))).toEqual(['a', 'b']);
  });

  it.each([
    ['', /empty/],
    ['ALARM(Errors', /expected "\)"/],
    ['ALARM()', /needs an alarm name/],
    ['ALARMED(x)', /unknown word "ALARMED"/],
    ['ALARM(a) XOR ALARM(b)', /unexpected "XOR ALARM/],
    ['ALARM("unterminated)', /unterminated/],
    ['ALARM(a) AND', /unexpected end/],
  ])('rejects %j with a clear error', (rule, message) => {
    expect(() => parseAlarmRule(rule)).toThrow(AlarmRuleError);
    expect(() => parseAlarmRule(rule)).toThrow(message);
  });
});
