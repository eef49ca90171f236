import { DURATION_PATTERN } from './duration.js';
import { hookList } from './hooks-schema.js';

// Building blocks shared by the parts of the config schema (schema.ts and its schema-*.ts sections).
export const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
export const url = { type: 'string', minLength: 1 } as const;
export const sameSite = { type: 'string', enum: ['Strict', 'Lax', 'None'] } as const;
export const stringList = { type: 'array', items: { type: 'string' } } as const;
export const secretList = { type: 'array', items: { type: 'string', minLength: 16 } } as const;

export const afterMethod = { type: 'object', properties: { default_browser_return_url: url, hooks: hookList } } as const;

export const server = (port: number) => ({
  type: 'object',
  properties: {
    base_url: url,
    host: { type: 'string', default: '' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: port },
  },
  default: {},
});
