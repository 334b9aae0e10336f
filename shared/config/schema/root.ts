/**
 * The config schema, written once in TypeBox. `configDocument()` is the JSON Schema that ajv validates
 * and that `npm run config-schema` writes to `butler.config.schema.json` for editors; ../types.ts
 * derives the TypeScript types from `ConfigSchema`.
 */
import { Type } from '@sinclair/typebox';
import { AlertWebhook } from './alert-channels';
import { AlertsSection } from './alerts';
import { ApiSection } from './api';
import { DirPair, NameValue, PathSetting, SecretNameValue } from './common';
import { toJsonSchema } from './document';
import { FileOpsSection } from './file-ops';
import { strictObject } from './kit';
import { MqttSection } from './mqtt';
import { NewRelicAccount, NewRelicSection, SlackSection } from './outbound';
import { KeyValueStoreSection, StateSection } from './state';
import { SenseSection } from './sense';

export const ConfigSchema = strictObject(
  {
    $schema: Type.Optional(
      Type.String({ description: 'Optional reference to this schema for editors; ignored.' }),
    ),
    sense: SenseSection,
    api: ApiSection,
    state: StateSection,
    keyValueStore: KeyValueStoreSection,
    fileOps: FileOpsSection,
    mqtt: MqttSection,
    slack: SlackSection,
    newRelic: NewRelicSection,
    alerts: AlertsSection,
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Butler Functions configuration',
    description:
      "Configuration file of Butler Functions (YAML or JSON, by extension). Unknown keys are errors. Any string value may be ${env:NAME} (the value of app setting NAME; embedded references inside a longer string are also replaced). Any setting can be overridden by an app setting BUTLER__<path> with __ between levels, e.g. BUTLER__sense__host. Relative paths resolve against the config file's directory. A disabled feature needs none of its settings.",
  },
);

/** Sub-schemas the document names once and references (by object identity in the TypeBox tree). */
const DEFINITIONS = {
  path: PathSetting,
  dirPair: DirPair,
  nameValue: NameValue,
  secretNameValue: SecretNameValue,
  newRelicAccount: NewRelicAccount,
  alertWebhook: AlertWebhook,
};

let document: Record<string, unknown> | undefined;

/** The JSON Schema document (built once; callers must not change it). */
export function configDocument(): Record<string, unknown> {
  document ??= toJsonSchema(ConfigSchema, DEFINITIONS);
  return document;
}
