/**
 * For secondary writes (the hourly business statistics): a failure is logged and the request goes
 * on, since the user's registration, login or order has already succeeded.
 */
import { getLogger } from 'lookout';

export async function bestEffort(what: string, work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    getLogger().warn(`Could not ${what}; continuing`, { error });
  }
}
