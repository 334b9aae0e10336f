/** Default apps with minimal but complete app-dump content (docs/sense-facts.md §10.3). */
import { NEVER } from './execution';
import type { SimApp } from './types';

const APP = {
  sales: '2df00ce7-6013-4dd9-9705-b29be428b20a',
  finance: '3623f2de-c13d-4c44-84dd-996ff56644ae',
  hr: '880a10c9-a345-4478-8491-194a9d80f782',
  broken: 'faa4ae3f-cc29-42b6-b0e7-5e4abbda2f82',
};
const OWNER = '01ff4a90-97f1-4d25-9f36-2efd6589efed';
const STREAM = { id: '65556c04-e39b-43b1-8705-1e8cc189ce71', name: 'Everyone' };

/** Content every dump section can find; ids are prefixed with `key` so apps never share objects. */
function dumpContent(key: string, table: string): Partial<SimApp> {
  const field = (name: string) => ({ name, srcTables: [table], tags: ['$ascii', '$text'] });
  return {
    sheets: [
      {
        id: `${key}-sheet-overview`,
        type: 'sheet',
        title: 'Overview',
        description: 'Key figures',
        properties: { rank: 0, columns: 24, rows: 12, cells: [{ name: `${key}-kpi-1`, type: 'kpi' }] },
        children: [
          {
            id: `${key}-kpi-1`,
            type: 'kpi',
            title: 'Total',
            properties: { qHyperCubeDef: { qMeasures: [{ qDef: { qDef: 'Sum(Amount)' } }] } },
          },
        ],
      },
      { id: `${key}-sheet-details`, type: 'sheet', title: 'Details', properties: { rank: 1, cells: [] } },
    ],
    stories: [{ id: `${key}-story-1`, type: 'story', title: 'Quarterly story', properties: { rank: 0 } }],
    masterobjects: [
      {
        id: `${key}-master-bar`,
        type: 'masterobject',
        title: 'Amount by region',
        properties: { visualization: 'barchart' },
      },
    ],
    appprops: [
      { id: `${key}-appprops`, type: 'appprops', title: '', properties: { sheetTitleBgColor: '#f2f2f2' } },
    ],
    dimensions: [
      {
        id: `${key}-dim-region`,
        type: 'dimension',
        title: 'Region',
        properties: {
          qDim: { qGrouping: 'N', qFieldDefs: ['Region'], qFieldLabels: ['Region'], title: 'Region' },
        },
      },
    ],
    measures: [
      {
        id: `${key}-measure-amount`,
        type: 'measure',
        title: 'Amount',
        properties: { qMeasure: { qLabel: 'Amount', qDef: 'Sum(Amount)', qGrouping: 'N' } },
      },
    ],
    bookmarks: [
      {
        id: `${key}-bookmark-emea`,
        type: 'bookmark',
        title: 'EMEA only',
        properties: {
          qBookmark: { qStateData: [{ qStateName: '$', qFieldItems: [] }], qUtcModifyTime: 45000 },
        },
      },
    ],
    snapshots: [
      {
        id: `${key}-snapshot-1`,
        type: 'snapshot',
        title: 'Snapshot of Amount',
        properties: { visualization: 'barchart', sheetId: `${key}-sheet-overview` },
      },
    ],
    media: ['/media/Logo.png', '/content/Default/shared-banner.png'],
    fields: [field('Region'), field('Amount'), { name: '$Table', srcTables: [], isSystem: true }],
    variables: [
      { id: `${key}-var-currency`, name: 'vCurrency', definition: "'EUR'", comment: 'Display currency' },
      { id: `${key}-var-script`, name: 'vLoadedAt', definition: '=Now()', isScriptCreated: true },
      {
        id: `${key}-var-reserved`,
        name: 'ThousandSep',
        definition: ',',
        isReserved: true,
        isScriptCreated: true,
      },
      {
        id: `${key}-var-config`,
        name: 'CollationLocale',
        definition: 'en-US',
        isConfig: true,
        isReserved: true,
      },
    ],
    connections: [
      {
        id: `${key}-conn-data`,
        name: 'DataFiles',
        connectionString: 'C:\\QlikData\\Files\\',
        type: 'folder',
      },
    ],
    lineage: [
      { qDiscriminator: `lib://DataFiles/${table}.qvd`, qStatement: '' },
      { qDiscriminator: 'RESIDENT Temp', qStatement: `${table}:\nLOAD * RESIDENT Temp;` },
    ],
  };
}

export function defaultApps(): SimApp[] {
  return [
    {
      id: APP.sales,
      name: 'Sales',
      script:
        "///$tab Main\r\nSET ThousandSep=',';\r\nSales:\r\nLOAD * FROM [lib://DataFiles/Sales.qvd] (qvd);\r\n",
      lastReloadTime: '2024-06-01T02:01:23.000Z',
      description: 'Sales dashboard',
      fileSize: 1_048_576,
      published: true,
      publishTime: '2024-02-01T09:00:00.000Z',
      stream: STREAM,
      ownerId: OWNER,
      ...dumpContent('sales', 'Sales'),
    },
    {
      id: APP.finance,
      name: 'Finance',
      script: '///$tab Main\r\nFinance:\r\nLOAD * FROM [lib://DataFiles/Finance.qvd] (qvd);\r\n',
      lastReloadTime: '2024-05-31T02:05:12.000Z',
      description: '',
      fileSize: 524_288,
      ownerId: OWNER,
      ...dumpContent('finance', 'Finance'),
    },
    {
      id: APP.hr,
      name: 'HR Ünïcødé',
      script: '///$tab Main\r\nHR:\r\nLOAD * INLINE [Name\r\nJürgen\r\n];\r\n',
      lastReloadTime: NEVER,
      ownerId: OWNER,
      ...dumpContent('hr', 'HR'),
    },
    {
      id: APP.broken,
      name: 'Broken Load',
      script: '///$tab Main\r\nLOAD * FROM [lib://DataFiles/missing.qvd] (qvd);\r\n',
      lastReloadTime: NEVER,
      reloadOutcome: false,
      ownerId: OWNER,
    },
  ];
}
