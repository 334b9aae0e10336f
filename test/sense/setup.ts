/** Shared test wiring: a SenseConfig pointing at a running simulator with the test PKI. */
import type { SenseConfig } from '../../shared/config/types';
import type { TestPki } from '../helpers/pki';

export function senseConfig(
  pki: TestPki,
  ports: { qrsPort: number; enginePort: number },
  overrides: Partial<SenseConfig> = {},
): SenseConfig {
  return {
    host: '127.0.0.1',
    qrsPort: ports.qrsPort,
    enginePort: ports.enginePort,
    serverName: null,
    cert: pki.clientCert,
    key: pki.clientKey,
    ca: pki.caCert,
    rejectUnauthorized: true,
    userDirectory: 'INTERNAL',
    userId: 'sa_repository',
    timeoutMs: 1000,
    reloadWaitMs: 1000,
    ...overrides,
  };
}

/** A loopback port nothing listens on: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
