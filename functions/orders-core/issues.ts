/** What the API answers and the worker logs when input fails its schema: one issue per field. */
import type { z } from 'zod';

export interface Issue {
  /** Dotted path to the offending field, '' for the value as a whole. */
  path: string;
  message: string;
}

export const issuesOf = (error: z.ZodError): Issue[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
