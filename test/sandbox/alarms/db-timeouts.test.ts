/**
 * The Db error-rate alarm as ServiceMonitoring synthesizes it, evaluated by the sandbox: queries
 * still running when their invocation timed out (status `timeout`) count as failed, so a table
 * that stops answering fires it even though no query ever returned an error.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ObservedFunction, ServiceMonitoring } from '../../../lib/cdk/index.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { readAlarmsFromTemplate } from '../../../sandbox/alarms/template.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import { MetricStore } from '../../../sandbox/metrics/store.js';
import { FIXTURE_ENTRY, NO_BUNDLING } from '../../cdk/support/template.js';
import { at, putMinute } from './helpers.js';

function synthesize(): CloudFormationTemplate {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Shop');
  const api = new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  new ServiceMonitoring(stack, 'Monitoring', {
    functions: [api],
    alarmTopic: new sns.Topic(stack, 'AlarmTopic'),
    database: {},
  });
  return Template.fromStack(stack).toJSON() as CloudFormationTemplate;
}

describe('Db error-rate alarm', () => {
  const { alarms, problems } = readAlarmsFromTemplate(synthesize(), { stackName: 'Shop', physicalNames: {} });

  it.each([
    ['timed out', 'timeout'],
    ['failed', 'error'],
  ])('fires when a tenth of the queries %s', (_what, status) => {
    expect(problems).toEqual([]);
    const store = new MetricStore();
    const evaluator = new AlarmEvaluator({ store, alarms });
    // As timeDbQuery records them: by [service] and by [service, status].
    const queries = { name: 'DbQueries', dimensions: { service: 'orders' } };
    putMinute(store, 0, Array<number>(20).fill(1), queries);
    putMinute(store, 0, Array<number>(18).fill(1), {
      ...queries,
      dimensions: { service: 'orders', status: 'success' },
    });
    putMinute(store, 0, [1, 1], { ...queries, dimensions: { service: 'orders', status } });
    evaluator.evaluate(at(5));
    const db = evaluator.statuses().find((alarm) => /Db-ErrorRate/.test(alarm.name));
    expect(db?.state).toBe('ALARM');
  });
});
