/**
 * Workload attestation: each configured attestor turns the caller's kernel-reported
 * credentials into selectors, and the agent unions them. The rules follow SPIRE 1.15.3
 * (`pkg/agent/attestor/workload`): attestors run concurrently; if some fail the agent
 * logs `Failed to collect all selectors` and goes on with the rest; if all fail the
 * call fails with Unavailable `workload attestation failed`.
 */
import type { Logger } from '../../logger.js';
import type { SelectorJson } from '../../spire/types.js';
import type { PeerCredentials } from './peer-credentials.js';

/** A workload attestor plugin, such as `unix` or `k8s`. */
export interface WorkloadAttestor {
  /** Plugin name as in agent.conf, such as `unix`. */
  readonly name: string;
  /** Returns the selectors of the calling process; throws if it cannot. */
  attest(caller: PeerCredentials): Promise<SelectorJson[]>;
}

/** Attestation failed in every configured attestor. */
export class WorkloadAttestationError extends Error {
  override readonly name = 'WorkloadAttestationError';
}

/** Runs every attestor for `caller` and returns the union of their selectors. */
export async function attestWorkload(attestors: readonly WorkloadAttestor[], caller: PeerCredentials, logger: Logger): Promise<SelectorJson[]> {
  const results = await Promise.allSettled(attestors.map((attestor) => attestor.attest(caller)));
  const selectors: SelectorJson[] = [];
  const failures: unknown[] = [];

  results.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      selectors.push(...result.value);
      return;
    }
    failures.push(result.reason);
    logger.error(`workload attestor "${attestors[index]?.name}" failed`, { error: result.reason, pid: caller.pid });
  });

  if (attestors.length > 0 && failures.length === attestors.length) {
    throw new WorkloadAttestationError('workload attestation failed', { cause: failures[0] });
  }
  if (failures.length > 0) logger.error('Failed to collect all selectors', { error: failures[0], pid: caller.pid });
  return selectors;
}
