/**
 * `spiffe-doctor explain <check-id>`: prints what a check looks at, what it concludes
 * and how to fix what it finds.
 */
import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import type { CatalogEntry } from '../checks/catalog.js';
import { findCatalogEntryByIdOrCode, renderCatalogEntry, suggestCheckIds } from '../checks/explain-entry.js';
import { UserError } from '../errors.js';

export class Explain extends BaseCommand {
  static override summary = 'Explain a check: what it looks at, what it concludes and the fix.';
  static override examples = ['<%= config.bin %> explain socket-mounted', '<%= config.bin %> explain SD0603'];
  static override enableJsonFlag = true;
  static override args = {
    check: Args.string({ description: 'Check id (for example socket-mounted) or finding code (for example SD0401).', required: true }),
  };

  async run(): Promise<CatalogEntry> {
    const { args } = await this.parse(Explain);
    const entry = findCatalogEntryByIdOrCode(args.check);
    if (entry === undefined) {
      const matches = suggestCheckIds(args.check);
      throw new UserError(`unknown check "${args.check}"`, {
        suggestions: [
          ...(matches.length > 0 ? [`Did you mean: ${matches.slice(0, 3).join(', ')}?`] : []),
          'See every check id in docs/checks.md.',
        ],
      });
    }

    this.log(renderCatalogEntry(entry));
    return entry;
  }
}
