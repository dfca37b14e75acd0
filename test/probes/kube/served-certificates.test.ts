import { X509Certificate, webcrypto } from 'node:crypto';
import { connect, createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubePod } from '../../../src/evidence/kube-types.js';
import { isProbeSkippedError } from '../../../src/probes/errors.js';
import { declaredTcpPorts, readServedCertificates } from '../../../src/probes/kube/served-certificates.js';
import type { KubeSource } from '../../../src/probes/kube/source.js';
import { createRootCa, type TestAuthority } from '../../spiffe/test-certificates.js';

function podWithPorts(ports: readonly { containerPort: number; protocol?: string }[]): KubePod {
  return { metadata: { name: 'web-0', namespace: 'shop' }, spec: { containers: [{ name: 'web', ports }] } };
}

function toPem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A source whose port-forward connects pod ports to local loopback ports. */
function forwardingSource(portMap: ReadonlyMap<number, number>): KubeSource {
  return {
    openPortForward: async (_namespace: string, _pod: string, port: number) => connect(portMap.get(port) ?? 9, '127.0.0.1'),
  } as unknown as KubeSource;
}

let authority: TestAuthority;
let tlsServer: Server;
let plainServer: Server;
let tlsPort: number;
let plainPort: number;

beforeAll(async () => {
  authority = await createRootCa('example.org');
  const key = toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', authority.keys.privateKey));
  tlsServer = createTlsServer({ key, cert: authority.certificate.toString() }, (socket) => socket.end());
  plainServer = createTcpServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  tlsPort = await listen(tlsServer);
  plainPort = await listen(plainServer);
});

afterAll(() => {
  tlsServer.close();
  plainServer.close();
});

describe('readServedCertificates', () => {
  it('records the chain a TLS port serves and skips a plain port', async () => {
    const pod = podWithPorts([{ containerPort: 8443 }, { containerPort: 8080 }]);
    const source = forwardingSource(new Map([[8443, tlsPort], [8080, plainPort]]));

    const served = await readServedCertificates(source, 'shop', pod, new AbortController().signal);

    expect(served.map((entry) => entry.port)).toEqual([8443]);
    expect(new X509Certificate(served[0]!.pem).fingerprint256).toBe(authority.certificate.fingerprint256);
  });

  it('is skipped when the pod declares no TCP port', async () => {
    const pod = podWithPorts([{ containerPort: 53, protocol: 'UDP' }]);

    const attempt = readServedCertificates(forwardingSource(new Map()), 'shop', pod, new AbortController().signal);

    await expect(attempt).rejects.toSatisfy(isProbeSkippedError);
  });
});

describe('declaredTcpPorts', () => {
  it('lists TCP ports once, in order', () => {
    const pod = podWithPorts([{ containerPort: 8443 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 8443, protocol: 'TCP' }, { containerPort: 9090 }]);

    expect(declaredTcpPorts(pod)).toEqual([8443, 9090]);
  });
});
