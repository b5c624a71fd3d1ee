/**
 * Money in whole cents. Amounts travel as JSON numbers in currency units (12.5 is 12.50); one is
 * accepted only when its decimal form, as JSON.parse read it, has at most two decimals. So 1e-131
 * or 0.000000005 are refused, never rounded, and every sum is taken in integer cents.
 */

const WHOLE_CENTS = /^(\d+)(?:\.(\d{1,2}))?$/;

/** The amount in integer cents, or undefined when it is negative, not finite or not whole cents. */
export function toCents(amount: number): number | undefined {
  // String() gives the shortest decimal that reads back as this number: no float arithmetic here.
  const match = WHOLE_CENTS.exec(String(amount));
  if (!match) return undefined;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

export const isWholeCents = (amount: number): boolean => toCents(amount) !== undefined;

/** Cents back to currency units; exact to the cent for any safe integer. */
export const fromCents = (cents: number): number => cents / 100;
