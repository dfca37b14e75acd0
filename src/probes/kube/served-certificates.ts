/**
 * The served-certificates probe (opt-in): a TLS handshake to each TCP port the
 * workload's containers declare, through a port-forward, recording the certificate
 * chain each port presents. It shows an expired or wrong SVID still being served after
 * the agent rotated it, which no other probe can see.
 */
import { connect, type PeerCertificate } from 'node:tls';
import type { Duplex } from 'node:stream';

import type { ServedCertificate } from '../../evidence/types.js';
import type { KubePod } from '../../evidence/kube-types.js';
import { ProbeSkippedError } from '../errors.js';
import type { KubeSource } from './source.js';

/** Returns the TCP ports the pod's containers declare, in order, without repeats. */
export function declaredTcpPorts(pod: KubePod): number[] {
  const ports = new Set<number>();
  for (const container of pod.spec?.containers ?? []) {
    const declared = (container.ports ?? []) as readonly { containerPort?: number; protocol?: string }[];
    for (const port of declared) {
      if (port.containerPort !== undefined && (port.protocol ?? 'TCP') === 'TCP') ports.add(port.containerPort);
    }
  }
  return [...ports];
}

/** Encodes a DER certificate as PEM. */
function toPem(der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

/** Returns the presented chain, leaf first, as concatenated PEM. */
function chainPem(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): string {
  const pems: string[] = [];
  const seen = new Set<string>();
  let current: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  while (current?.raw !== undefined && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    pems.push(toPem(current.raw));
    current = current.issuerCertificate;
  }
  return pems.join('');
}

/**
 * Runs a TLS handshake over `socket` without verifying the peer (the point is to see what
 * it serves) and resolves with the presented chain, or undefined when the port does not
 * speak TLS. Workloads with mutual TLS may end the handshake for lack of a client
 * certificate; the server's chain has been received by then.
 */
export function handshake(socket: Duplex, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const tlsSocket = connect({ socket, rejectUnauthorized: false });
    const finish = (pem: string | undefined) => {
      signal.removeEventListener('abort', onAbort);
      tlsSocket.destroy();
      socket.destroy();
      resolve(pem);
    };
    const onAbort = () => finish(undefined);
    signal.addEventListener('abort', onAbort);
    tlsSocket.once('secureConnect', () => finish(chainPem(tlsSocket.getPeerCertificate(true))));
    tlsSocket.once('error', () => {
      const peer = tlsSocket.getPeerCertificate(true);
      finish(peer?.raw === undefined ? undefined : chainPem(peer));
    });
  });
}

/**
 * Reads the certificates the workload serves on its declared TCP ports.
 *
 * @throws ProbeSkippedError when the pod declares no TCP port or the source cannot port-forward.
 */
export async function readServedCertificates(source: KubeSource, namespace: string, pod: KubePod, signal: AbortSignal): Promise<ServedCertificate[]> {
  const ports = declaredTcpPorts(pod);
  if (ports.length === 0) throw new ProbeSkippedError('the workload declares no TCP container port to connect to');
  if (source.openPortForward === undefined) throw new ProbeSkippedError('this cluster connection cannot port-forward');
  const podName = pod.metadata?.name ?? '';

  const served: ServedCertificate[] = [];
  for (const port of ports) {
    const socket = await source.openPortForward(namespace, podName, port);
    const pem = await handshake(socket, signal);
    if (pem !== undefined && pem !== '') served.push({ port, pem });
  }
  return served;
}
