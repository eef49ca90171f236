import type { StoredError } from '../flow/types.js';

export interface ErrorStore {
  createError(error: StoredError): Promise<void>;
  /** Returns the container and marks it seen. */
  getError(id: string): Promise<StoredError | null>;
  deleteOldErrors(before: Date, limit: number): Promise<number>;
}
