import type { Logger } from 'pino';
import type { Persister } from '../types.js';

export class PostgresPersister {
  static async open(_url: string, _opts: { logger: Logger }): Promise<Persister> {
    throw new Error('PostgreSQL support is not implemented yet');
  }
}
