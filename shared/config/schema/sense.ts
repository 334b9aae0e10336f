/** `sense`: the Qlik Sense central node and the identity Butler uses there. */
import { Type } from '@sinclair/typebox';
import { optionalString, section } from './kit';

const port = (fallback: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: fallback, description });

export const SenseSection = section(
  {
    host: optionalString('Host name of the Qlik Sense central node.'),
    qrsPort: port(4242, 'Qlik Repository Service port.'),
    enginePort: port(4747, 'Qlik Engine (QIX) port.'),
    serverName: optionalString("Name in Sense's server certificate (SNI and verification); default: host."),
    cert: optionalString('Client certificate exported from the QMC (PEM path).'),
    key: optionalString("Client certificate's private key (PEM path)."),
    ca: optionalString('Root CA of the Sense certificates (PEM path).'),
    rejectUnauthorized: Type.Boolean({ default: true, description: "Verify Sense's server certificate." }),
    userDirectory: Type.String({ minLength: 1, default: 'INTERNAL', description: 'X-Qlik-User directory.' }),
    userId: Type.String({ minLength: 1, default: 'sa_repository', description: 'X-Qlik-User id.' }),
    timeoutMs: Type.Integer({
      minimum: 1000,
      default: 30000,
      description: 'Timeout of every Sense call (ms).',
    }),
    reloadWaitMs: Type.Integer({
      minimum: 0,
      default: 120000,
      description:
        'Project addition: how long PUT /v4/app/{id}/reload waits for the reload before answering 202 with a way to follow it (ms).',
    }),
  },
  {
    description:
      'Qlik Sense central node. Not required: Sense features answer 503 NOT_CONFIGURED while host, cert, key or ca is missing.',
  },
);
