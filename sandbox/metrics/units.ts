/** The units CloudWatch accepts for a metric datum (PutMetricData / EMF `Unit`): the library's own list. */
import { UNITS } from '../../lib/metrics/sink.js';
import type { Unit } from '../../lib/metrics/sink.js';

export const CLOUDWATCH_UNITS = UNITS;
export type CloudWatchUnit = Unit;

const UNIT_SET: ReadonlySet<string> = new Set(CLOUDWATCH_UNITS);

export function isCloudWatchUnit(value: unknown): value is CloudWatchUnit {
  return typeof value === 'string' && UNIT_SET.has(value);
}
