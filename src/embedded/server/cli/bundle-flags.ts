/**
 * Flags shared by the `server bundle …` commands.
 */
import { Flags } from '@oclif/core';

import type { BundleMessage } from '../api/convert.js';
import { formatBundlePem, formatBundleSpiffe } from './bundle-format.js';

export const bundleFormatFlag = Flags.string({ description: 'The format of the bundle (pem, spiffe).', default: 'pem', options: ['pem', 'spiffe'] });

/** Formats a bundle in the `-format` the user chose. */
export function formatBundle(bundle: BundleMessage, format: string): string {
  return format === 'spiffe' ? formatBundleSpiffe(bundle) : formatBundlePem(bundle);
}
