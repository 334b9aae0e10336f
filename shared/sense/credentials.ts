/**
 * Reads and checks the PEM files named by `sense.cert`, `sense.key` and `sense.ca` once, so a wrong path,
 * an encrypted key or a key that does not belong to the certificate is reported by setting name and path
 * instead of surfacing later as an obscure TLS failure. Error messages never contain file contents.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SenseConfig } from '../config/types';
import { SenseError } from './errors';

export interface SenseCredentials {
  cert: string;
  key: string;
  /** undefined = trust the system roots. */
  ca: string | undefined;
}

type PemSetting = 'sense.cert' | 'sense.key' | 'sense.ca';

function notConfigured(message: string, cause?: unknown): SenseError {
  return new SenseError('NOT_CONFIGURED', message, { cause });
}

async function readPem(setting: PemSetting, file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw notConfigured(`${setting} file ${file} cannot be read (${code})`, err);
  }
  if (!text.includes('-----BEGIN ')) throw notConfigured(`${setting} file ${file} is not a PEM file`);
  return text;
}

function parseCertificate(setting: PemSetting, file: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw notConfigured(`${setting} file ${file} does not hold a valid PEM certificate`, err);
  }
}

export async function loadCredentials(cfg: SenseConfig): Promise<SenseCredentials> {
  if (cfg.cert === null || cfg.key === null) throw notConfigured('sense.cert and sense.key must both be set');
  const [cert, key, ca] = await Promise.all([
    readPem('sense.cert', cfg.cert),
    readPem('sense.key', cfg.key),
    cfg.ca === null ? Promise.resolve(undefined) : readPem('sense.ca', cfg.ca),
  ]);

  const certificate = parseCertificate('sense.cert', cfg.cert, cert);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw notConfigured(
      `sense.key file ${cfg.key} is not an unencrypted PEM private key (export it from the QMC without a password)`,
      err,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw notConfigured(
      `sense.key file ${cfg.key} does not belong to the certificate in sense.cert (${cfg.cert})`,
    );
  }
  if (ca !== undefined && cfg.ca !== null) parseCertificate('sense.ca', cfg.ca, ca);
  return { cert, key, ca };
}
