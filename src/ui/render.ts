import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Eta } from 'eta';

/** assets/ui/ resolves the same from src/ui/ (tsx) and dist/ui/ (compiled): both sit two levels down. */
export const UI_ASSETS = fileURLToPath(new URL('../../assets/ui/', import.meta.url));

/**
 * Eta with escaping on by default: `<%= %>` escapes, and the templates use `<%~ %>` only for the
 * layout body (already escaped HTML produced by Eta itself).
 */
export class Renderer {
  private readonly eta = new Eta({ views: UI_ASSETS, autoEscape: true, cache: true });
  readonly stylesheet = readFileSync(join(UI_ASSETS, 'style.css'), 'utf8');

  render(template: string, data: Record<string, unknown>): string {
    return this.eta.render(`./${template}`, data);
  }
}
