/** The units CloudWatch accepts for a metric datum (PutMetricData / EMF `Unit`). */
export const CLOUDWATCH_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

export type CloudWatchUnit = (typeof CLOUDWATCH_UNITS)[number];

const UNIT_SET: ReadonlySet<string> = new Set(CLOUDWATCH_UNITS);

export function isCloudWatchUnit(value: unknown): value is CloudWatchUnit {
  return typeof value === 'string' && UNIT_SET.has(value);
}
