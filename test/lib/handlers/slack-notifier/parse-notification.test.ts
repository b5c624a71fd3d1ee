import { describe, expect, it } from '@jest/globals';
import type { AlarmNotification } from '../../../../lib/handlers/slack-notifier/alarm.js';
import {
  normalizeDimensions,
  normalizeStatistic,
  normalizeTreatMissingData,
  parseAlert,
  parseAwsTime,
  splitEvent,
} from '../../../../lib/handlers/slack-notifier/parse-notification.js';
import type { FixtureName } from './support/alerts.js';
import { fixture, snsEvent, snsRecord } from './support/alerts.js';

function parseOne(event: unknown): AlarmNotification {
  const [alert] = splitEvent(event);
  const result = parseAlert(alert!);
  if (!result.ok) throw new Error(`expected an alarm, got: ${result.problem}`);
  return result.alarm;
}

const viaSns = (name: FixtureName, messageId = 'msg-1') =>
  parseOne(snsEvent(snsRecord(fixture(name), { messageId })));

describe('SNS alarm notifications', () => {
  it('reads a full SNS event as delivered to Lambda', () => {
    const alarm = parseOne(fixture('sns-event'));
    expect(alarm).toMatchObject({
      source: 'sns',
      messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
      kind: 'metric',
      alarmName: 'orders-api-errors',
      newState: 'ALARM',
      oldState: 'OK',
    });
  });

  it('reads a metric alarm, with the region code from the ARN rather than the display name', () => {
    const alarm = viaSns('metric-alarm');
    expect(alarm).toMatchObject({
      kind: 'metric',
      regionCode: 'eu-west-2',
      regionName: 'EU (London)',
      accountId: '123456789012',
      partition: 'aws',
      comparison: 'GreaterThanThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // "- TreatMissingData:                    missing" in the real payload
      treatMissingData: 'missing',
    });
    // Upper-case SUM, null unit and the list of {value, name} dimensions are normalized.
    expect(alarm.metric).toEqual({
      name: 'Errors',
      namespace: 'AWS/Lambda',
      dimensions: { FunctionName: 'lookout-orders-api' },
      stat: 'Sum',
      periodSeconds: 60,
      unit: undefined,
    });
    expect(alarm.changedAt?.toISOString()).toBe('2026-11-28T10:15:30.125Z');
  });

  it('reads an OK transition', () => {
    const alarm = viaSns('metric-alarm-ok');
    expect([alarm.oldState, alarm.newState]).toEqual(['ALARM', 'OK']);
    expect(alarm.treatMissingData).toBe('notBreaching');
  });

  it('copes with a missing ARN, null description, empty dimensions and an extended statistic', () => {
    const alarm = viaSns('metric-alarm-quirks');
    expect(alarm.alarmArn).toBeUndefined();
    expect(alarm.description).toBeUndefined();
    // No alarm ARN: the region comes from the SNS topic's ARN.
    expect(alarm.regionCode).toBe('eu-west-2');
    expect(alarm.regionName).toBe('US East (N. Virginia)');
    expect(alarm.metric?.dimensions).toEqual({});
    expect(alarm.metric?.stat).toBe('p99');
    expect(alarm.newState).toBe('INSUFFICIENT_DATA');
    expect(alarm.treatMissingData).toBe('notBreaching');
  });

  it('reads a metric-math alarm with its queries', () => {
    const alarm = viaSns('metric-math-alarm');
    expect(alarm.kind).toBe('metric-math');
    expect(alarm.metric).toBeUndefined();
    expect(alarm.queries.map((q) => q.id)).toEqual(['e1', 'errors', 'requests']);
    expect(alarm.queries[0]).toMatchObject({
      expression: '100 * errors / MAX([errors, requests])',
      returnData: true,
    });
    expect(alarm.queries[1]?.metric).toEqual({
      name: 'Errors',
      namespace: 'Lookout',
      dimensions: { service: 'orders' },
      stat: 'Sum',
      periodSeconds: 60,
      unit: undefined,
    });
    expect(alarm.threshold).toBe(5);
  });

  it('reads an anomaly-detection alarm', () => {
    const alarm = viaSns('anomaly-alarm');
    expect(alarm.kind).toBe('anomaly-detection');
    expect(alarm.thresholdMetricId).toBe('ad1');
    expect(alarm.threshold).toBeUndefined();
    expect(alarm.comparison).toBe('LessThanLowerOrGreaterThanUpperThreshold');
  });

  it('reads a composite alarm with its rule and triggering children', () => {
    const alarm = viaSns('composite-alarm');
    expect(alarm.kind).toBe('composite');
    expect(alarm.alarmRule).toContain('ALARM(');
    expect(alarm.triggeringChildren).toEqual([
      {
        name: 'orders-health-check-failing',
        arn: 'arn:aws:cloudwatch:eu-west-2:123456789012:alarm:orders-health-check-failing',
        state: 'ALARM',
      },
    ]);
  });

  it('accepts TriggeringChildren as plain strings, as the schema documents them', () => {
    const message = {
      ...fixture('composite-alarm'),
      TriggeringChildren: ['arn:aws:cloudwatch:eu-west-2:1:alarm:child-a', 'child-b'],
    };
    const alarm = parseOne(snsEvent(snsRecord(message)));
    expect(alarm.triggeringChildren.map((child) => child.name)).toEqual(['child-a', 'child-b']);
  });

  it('reads the partition for China and GovCloud alarms', () => {
    const message = {
      ...fixture('metric-alarm'),
      AlarmArn: 'arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:x',
    };
    expect(parseOne(snsEvent(snsRecord(message)))).toMatchObject({
      partition: 'aws-cn',
      regionCode: 'cn-north-1',
    });
  });

  it('drops an optional field of the wrong type instead of rejecting the alarm', () => {
    const message = {
      ...fixture('metric-alarm'),
      OldStateValue: 42,
      Trigger: 'not an object',
      StateChangeTime: 'yesterday',
    };
    const alarm = parseOne(snsEvent(snsRecord(message)));
    expect(alarm.alarmName).toBe('orders-api-errors');
    expect(alarm.oldState).toBeUndefined();
    expect(alarm.metric).toBeUndefined();
    expect(alarm.changedAt).toBeUndefined();
  });

  it('reads alarm tags in either map or list form', () => {
    const asMap = parseOne(
      snsEvent(snsRecord({ ...fixture('metric-alarm'), AlarmTags: { severity: 'warning' } })),
    );
    const asList = parseOne(
      snsEvent(
        snsRecord({ ...fixture('metric-alarm'), AlarmTags: [{ Key: 'severity', Value: 'critical' }] }),
      ),
    );
    expect(asMap.tags).toEqual({ severity: 'warning' });
    expect(asList.tags).toEqual({ severity: 'critical' });
  });
});

describe('EventBridge "CloudWatch Alarm State Change" events', () => {
  it('reads a metric alarm, dimensions given as a map', () => {
    const alarm = parseOne(fixture('eventbridge-metric-alarm'));
    expect(alarm).toMatchObject({
      source: 'eventbridge',
      messageId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      kind: 'metric',
      alarmName: 'lookout-orders-api-memory',
      newState: 'ALARM',
      oldState: 'OK',
      regionCode: 'eu-west-2',
      accountId: '123456789012',
      // EventBridge has no threshold in the configuration: it comes from reasonData.
      threshold: 85,
      tags: { severity: 'critical', runbook_url: 'https://runbooks.example.com/orders/memory' },
    });
    expect(alarm.metric).toMatchObject({
      name: 'MemoryUtilization',
      dimensions: { service: 'orders', function_name: 'lookout-orders-api' },
      stat: 'Maximum',
      periodSeconds: 300,
    });
    expect(alarm.changedAt?.toISOString()).toBe('2026-11-28T10:04:40.989Z');
  });

  it('reads a metric-math OK transition', () => {
    const alarm = parseOne(fixture('eventbridge-math-alarm-ok'));
    expect(alarm).toMatchObject({ kind: 'metric-math', newState: 'OK', oldState: 'ALARM', threshold: 5 });
    expect(alarm.queries).toHaveLength(3);
  });

  it('reads a composite alarm with its triggering alarms from reasonData', () => {
    const alarm = parseOne(fixture('eventbridge-composite-alarm'));
    expect(alarm.kind).toBe('composite');
    expect(alarm.alarmRule).toBe('ALARM("orders-health-check-failing") AND ALARM("orders-api-errors")');
    expect(alarm.triggeringChildren).toEqual([
      expect.objectContaining({ name: 'orders-health-check-failing', state: 'ALARM' }),
    ]);
  });

  it('reads an EventBridge alarm event that reached the function through SNS', () => {
    const alarm = parseOne(
      snsEvent(snsRecord(fixture('eventbridge-metric-alarm'), { messageId: 'sns-wrapped' })),
    );
    expect(alarm).toMatchObject({
      source: 'sns',
      messageId: 'sns-wrapped',
      alarmName: 'lookout-orders-api-memory',
    });
  });
});

describe('unreadable input', () => {
  const problemOf = (event: unknown) => {
    const results = splitEvent(event).map(parseAlert);
    return results.map((result) => (result.ok ? 'ok' : result.problem));
  };

  it('names the problem of a message that is not JSON', () => {
    expect(problemOf(snsEvent(snsRecord('Hello from the SNS console')))).toEqual(['the message is not JSON']);
  });

  it('names the missing fields of JSON that is not an alarm', () => {
    const [problem] = problemOf(snsEvent(snsRecord({ hello: 'world' })));
    expect(problem).toMatch(/not a CloudWatch alarm notification/);
    expect(problem).toMatch(/AlarmName/);
    expect(problem).toMatch(/NewStateValue/);
  });

  it('rejects an unknown state value', () => {
    const [problem] = problemOf(
      snsEvent(snsRecord({ ...fixture('metric-alarm'), NewStateValue: 'ON_FIRE' })),
    );
    expect(problem).toMatch(/NewStateValue/);
  });

  it('rejects other EventBridge events by their detail-type', () => {
    const event = {
      ...fixture('eventbridge-metric-alarm'),
      'detail-type': 'EC2 Instance State-change Notification',
    };
    expect(problemOf(event)).toEqual([
      'unsupported EventBridge event "EC2 Instance State-change Notification"',
    ]);
  });

  it('marks alarm configuration changes as skipped, not unreadable', () => {
    const result = parseAlert(splitEvent(fixture('eventbridge-configuration-change'))[0]!);
    expect(result).toEqual({ ok: false, problem: 'not an alert', skipped: 'alarm configuration change' });
  });

  it('keeps each record separate: one bad record does not hide the good ones', () => {
    const event = snsEvent(
      snsRecord(fixture('metric-alarm')),
      snsRecord('not json'),
      snsRecord(fixture('composite-alarm')),
    );
    expect(problemOf(event)).toEqual(['ok', 'the message is not JSON', 'ok']);
  });

  it('turns events of no known source into one unreadable alert', () => {
    expect(problemOf({ foo: 1 })).toEqual(['neither an SNS record nor an EventBridge event']);
    expect(problemOf(null)).toEqual(['neither an SNS record nor an EventBridge event']);
    expect(splitEvent({ Records: [{ eventSource: 'aws:sqs', messageId: 'sqs-1' }] })[0]).toMatchObject({
      messageId: 'sqs-1',
      source: 'unknown',
    });
  });
});

describe('field normalizers', () => {
  it('parses AWS timestamps with a colon-less offset', () => {
    expect(parseAwsTime('2019-10-02T17:04:40.989+0000')?.toISOString()).toBe('2019-10-02T17:04:40.989Z');
    expect(parseAwsTime('2019-10-02T17:04:40Z')?.toISOString()).toBe('2019-10-02T17:04:40.000Z');
    expect(parseAwsTime('not a time')).toBeUndefined();
  });

  it('normalizes statistics and missing-data settings', () => {
    expect(['SUM', 'AVERAGE', 'SAMPLE_COUNT', 'Maximum', 'p99'].map(normalizeStatistic)).toEqual([
      'Sum',
      'Average',
      'SampleCount',
      'Maximum',
      'p99',
    ]);
    expect(normalizeTreatMissingData('- TreatMissingData:                    Breaching')).toBe('breaching');
    expect(normalizeTreatMissingData('ignore')).toBe('ignore');
    expect(normalizeTreatMissingData('')).toBeUndefined();
  });

  it('reads dimensions from either wire format', () => {
    expect(
      normalizeDimensions([{ value: 'a', name: 'X' }, { Value: 2, Name: 'Y' }, { name: 'noValue' }]),
    ).toEqual({ X: 'a', Y: '2' });
    expect(normalizeDimensions({ X: 'a', Y: 2 })).toEqual({ X: 'a', Y: '2' });
    expect(normalizeDimensions(null)).toEqual({});
  });
});
