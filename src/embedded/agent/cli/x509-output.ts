/**
 * Output and files of `agent api fetch x509`, in the forms of `spire-agent api fetch
 * x509` (SPIRE 1.15 `cmd/spire-agent/cli/api`): the pretty listing, the `-output json`
 * document and the `-write` files.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatGoDuration, formatGoJson, formatGoTime } from '../../../lab/spire-cli-output.js';
import { verifyX509Svid } from '../../../spiffe/x509-svid.js';
import type { X509SvidUpdate } from '../../workload/client.js';
import { pemFromDer } from '../server-tls.js';

function validityLines(label: string, der: Buffer): string[] {
  const certificate = new X509Certificate(der);
  return [`${label} Valid After:\t${formatGoTime(new Date(certificate.validFrom))}`, `${label} Valid Until:\t${formatGoTime(new Date(certificate.validTo))}`];
}

/**
 * Checks every SVID against its bundle, as `spire-agent api fetch x509` does before it
 * prints, and returns SPIRE's error text for the first that fails, or undefined.
 */
export function findUnverifiedSvid(update: X509SvidUpdate, now: Date = new Date()): string | undefined {
  for (const svid of update.svids) {
    const chain = svid.certificates.map((der) => new X509Certificate(der));
    const authorities = svid.bundle.map((der) => new X509Certificate(der));
    const [problem] = verifyX509Svid(chain, authorities, { now }).problems;
    if (problem) return `${JSON.stringify(svid.spiffeId)} SVID failed verification against bundle: ${problem.message}`;
  }
  return undefined;
}

/**
 * Formats the pretty listing: count and response time, then each SVID's validity and
 * its CAs. Federated CAs are labelled with the trust domain ID, or with the bare name
 * when `federatedLabel` is `name` (what `spire-agent api watch` prints).
 */
export function formatX509Pretty(update: X509SvidUpdate, elapsedMs: number, federatedLabel: 'id' | 'name' = 'id'): string {
  const count = update.svids.length;
  const lines = [`Received ${count} svid${count === 1 ? '' : 's'} after ${formatGoDuration(elapsedMs)}`];

  for (const svid of update.svids) {
    lines.push('', `SPIFFE ID:\t\t${svid.spiffeId}`);
    if (svid.hint) lines.push(`Hint:\t\t\t${svid.hint}`);
    lines.push(...validityLines('SVID', svid.certificates[0]!));
    svid.certificates.slice(1).forEach((intermediate, index) => lines.push(...validityLines(`Intermediate #${index + 1}`, intermediate)));
    svid.bundle.forEach((ca, index) => lines.push(...validityLines(`CA #${index + 1}`, ca)));
    for (const [trustDomainId, bundle] of update.federatedBundles) {
      const label = federatedLabel === 'id' ? trustDomainId : trustDomainId.replace(/^spiffe:\/\//, '');
      bundle.forEach((ca, index) => lines.push(...validityLines(`[${label}] CA #${index + 1}`, ca)));
    }
  }
  return `${lines.join('\n')}\n\n`;
}

/** Formats the `-output json` document: the `X509SVIDResponse` with bytes as base64. */
export function formatX509Json(update: X509SvidUpdate): string {
  return formatGoJson({
    crl: update.crl.map((crl) => crl.toString('base64')),
    federated_bundles: Object.fromEntries([...update.federatedBundles].map(([id, bundle]) => [id, Buffer.concat([...bundle]).toString('base64')])),
    svids: update.svids.map((svid) => ({
      bundle: Buffer.concat([...svid.bundle]).toString('base64'),
      hint: svid.hint,
      spiffe_id: svid.spiffeId,
      x509_svid: Buffer.concat([...svid.certificates]).toString('base64'),
      x509_svid_key: svid.privateKey.toString('base64'),
    })),
  });
}

/**
 * Writes `svid.<i>.pem`, `svid.<i>.key`, `bundle.<i>.pem` and
 * `federated_bundle.<i>.<j>.pem` under `directory` and returns the progress lines.
 * Keys are written readable by the owner only.
 */
export async function writeX509Files(directory: string, update: X509SvidUpdate): Promise<string> {
  const lines: string[] = [];
  for (const [index, svid] of update.svids.entries()) {
    const svidPath = join(directory, `svid.${index}.pem`);
    const keyPath = join(directory, `svid.${index}.key`);
    const bundlePath = join(directory, `bundle.${index}.pem`);

    lines.push(`Writing SVID #${index} to file ${svidPath}.`);
    await writeFile(svidPath, pemFromDer(svid.certificates), { mode: 0o644 });
    lines.push(`Writing key #${index} to file ${keyPath}.`);
    const keyPem = createPrivateKey({ key: svid.privateKey, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' });
    await writeFile(keyPath, keyPem, { mode: 0o600 });
    lines.push(`Writing bundle #${index} to file ${bundlePath}.`);
    await writeFile(bundlePath, pemFromDer(svid.bundle), { mode: 0o644 });

    const trustDomains = [...update.federatedBundles.keys()].sort();
    for (const [federatedIndex, trustDomainId] of trustDomains.entries()) {
      const federatedPath = join(directory, `federated_bundle.${index}.${federatedIndex}.pem`);
      lines.push(`Writing federated bundle #${federatedIndex} for trust domain ${trustDomainId} to file ${federatedPath}.`);
      await writeFile(federatedPath, pemFromDer(update.federatedBundles.get(trustDomainId) ?? []), { mode: 0o644 });
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
