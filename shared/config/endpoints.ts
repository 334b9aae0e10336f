/**
 * The endpoint flags, in Butler's order: one row per flag, optionally nested under a group. The
 * `api.endpoints` schema, its type, `ENDPOINT_NAMES` (what GET /v4/configfile/endpointsenabled lists)
 * and `isEndpointEnabled` are all derived from this table, so adding a flag is one line here.
 */
import { Type, type Static, type TBoolean, type TObject, type TSchema } from '@sinclair/typebox';
import { section } from './schema/kit';

/** Groups nest their flags one level down (`api.endpoints.newRelic.postNewRelicMetric`). */
const ENDPOINT_GROUPS = {
  newRelic: 'New Relic operations.',
  scheduler: 'Scheduler operations.',
} as const;

type GroupName = keyof typeof ENDPOINT_GROUPS;

const ENDPOINT_FLAGS = [
  { name: 'apiListEnabledEndpoints' },
  { name: 'base62ToBase16' },
  { name: 'base16ToBase62' },
  { name: 'butlerping' },
  { name: 'createDir' },
  { name: 'createDirQVD' },
  { name: 'fileDelete' },
  { name: 'fileMove' },
  { name: 'fileCopy' },
  { name: 'keyValueStore' },
  { name: 'mqttPublishMessage' },
  { name: 'postNewRelicMetric', group: 'newRelic' },
  { name: 'postNewRelicEvent', group: 'newRelic' },
  { name: 'createNewSchedule', group: 'scheduler' },
  { name: 'getSchedule', group: 'scheduler' },
  { name: 'getScheduleStatusAll', group: 'scheduler' },
  { name: 'updateSchedule', group: 'scheduler' },
  { name: 'deleteSchedule', group: 'scheduler' },
  { name: 'startSchedule', group: 'scheduler' },
  { name: 'stopSchedule', group: 'scheduler' },
  { name: 'senseAppReload' },
  { name: 'senseAppDump' },
  { name: 'senseListApps' },
  { name: 'senseStartTask' },
  { name: 'slackPostMessage' },
] as const satisfies readonly { name: string; group?: GroupName }[];

type FlagRow = (typeof ENDPOINT_FLAGS)[number];

/** A flag's leaf name (Butler's name, flattened). */
export type EndpointName = FlagRow['name'];

type TopLevelName = Exclude<FlagRow, { group: string }>['name'];
type MembersOf<G extends GroupName> = Extract<FlagRow, { group: G }>['name'];
type FlagProperties = {
  [K in TopLevelName | GroupName]: K extends GroupName
    ? TObject<{ [N in MembersOf<K>]: TBoolean }>
    : TBoolean;
};

const flagSchema = (name: string): TBoolean =>
  Type.Boolean({ default: true, description: `Enable ${name} (Butler's name).` });

/** The `api.endpoints` section: every flag defaults to true; a group sits where its first flag is. */
export function endpointFlagsSchema(): TObject<FlagProperties> {
  const properties: Record<string, TSchema> = {};
  for (const row of ENDPOINT_FLAGS) {
    if (!('group' in row)) properties[row.name] = flagSchema(row.name);
    else if (!(row.group in properties)) {
      const flags = ENDPOINT_FLAGS.filter((other) => 'group' in other && other.group === row.group);
      properties[row.group] = section(
        Object.fromEntries(flags.map((other) => [other.name, flagSchema(other.name)])),
        { description: ENDPOINT_GROUPS[row.group] },
      );
    }
  }
  // The loop builds exactly FlagProperties; TypeScript cannot follow that through the table.
  return section(properties, {
    description: "Which operations are switched on (Butler's names); every one defaults to true.",
  }) as unknown as TObject<FlagProperties>;
}

export type EndpointFlags = Static<ReturnType<typeof endpointFlagsSchema>>;

export const ENDPOINT_NAMES: readonly EndpointName[] = Object.freeze(ENDPOINT_FLAGS.map((row) => row.name));

const GROUP_OF: ReadonlyMap<EndpointName, GroupName> = new Map(
  ENDPOINT_FLAGS.flatMap((row) => ('group' in row ? [[row.name, row.group] as const] : [])),
);

/** Reads one flag of the nested `api.endpoints` tree by its Butler name. */
export function isEndpointEnabled(flags: EndpointFlags, name: EndpointName): boolean {
  const group = GROUP_OF.get(name);
  const holder: object = group === undefined ? flags : flags[group];
  return (holder as Readonly<Record<string, boolean>>)[name] === true;
}

/** Names whose flag is true, in Butler's order (nested newRelic/scheduler flags flattened). */
export function enabledEndpointNames(config: { api: { endpoints: EndpointFlags } }): string[] {
  return ENDPOINT_NAMES.filter((name) => isEndpointEnabled(config.api.endpoints, name));
}
