/** Formatting shared by state reasons and SNS messages, matching what CloudWatch prints. */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 5 → "5.0", 0.25 → "0.25", as CloudWatch prints values in state reasons. */
export function formatValue(value: number): string {
  const rounded = Number(value.toPrecision(12));
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}

/** "19/01/24 10:44:00" (UTC), the datapoint timestamp format of CloudWatch state reasons. */
export function formatReasonTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "2024-01-19T10:45:47.917+0000", the StateChangeTime format of CloudWatch SNS notifications. */
export function formatStateChangeTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "Friday 19 January, 2024 10:44:00 UTC", as composite alarm reasons print times. */
export function formatLongTime(ms: number): string {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()]} ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
