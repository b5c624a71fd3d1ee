/**
 * How `lookout sandbox` names the APIs it serves and the stack's outputs, and which API a scenario's
 * paths go to.
 */
import { describe, expect, it } from '@jest/globals';
import { apiLine, chooseApi, outputLines } from '../../sandbox/cli.js';
import type { ServedApi } from '../../sandbox/sandbox.js';

const apis: ServedApi[] = [
  {
    logicalId: 'OrdersHttpApi1A2B3C4D',
    constructPath: 'Shop/OrdersHttpApi',
    kind: 'http',
    stage: '$default',
    url: 'http://127.0.0.1:3001',
    routes: ['GET /orders', 'POST /orders'],
    functionNames: ['Shop-Orders'],
  },
  {
    logicalId: 'OrdersRestApi5E6F7A8B',
    constructPath: 'Shop/OrdersRestApi',
    kind: 'rest',
    stage: 'prod',
    url: 'http://127.0.0.1:40001/prod',
    routes: ['ANY /', 'ANY /{proxy+}'],
    functionNames: ['Shop-Orders'],
  },
  {
    logicalId: 'ExportFunctionUrl9C0D1E2F',
    kind: 'url',
    stage: '$default',
    url: 'http://127.0.0.1:40002',
    routes: ['$default'],
    functionNames: ['Shop-Export'],
  },
];

describe('the start-up line of each API', () => {
  it('names the URL, the API, its kind and stage, and its routes', () => {
    expect(apis.map(apiLine)).toEqual([
      'API         http://127.0.0.1:3001   OrdersHttpApi1A2B3C4D (HTTP): GET /orders, POST /orders',
      'API         http://127.0.0.1:40001/prod   OrdersRestApi5E6F7A8B (REST, stage prod): ANY /, ANY /{proxy+}',
      'API         http://127.0.0.1:40002   ExportFunctionUrl9C0D1E2F (function URL): every method and path → Shop-Export',
    ]);
  });
});

describe("the scenario's api", () => {
  it('is the first API unless the scenario names one', () => {
    expect(chooseApi(apis, undefined)).toBe(apis[0]);
    expect(chooseApi([], undefined)).toBeUndefined();
  });

  it.each(['OrdersRestApi5E6F7A8B', 'Shop/OrdersRestApi', 'OrdersRestApi'])(
    'finds the REST API as %s',
    (name) => {
      expect(chooseApi(apis, name)).toBe(apis[1]);
    },
  );

  it('lists the APIs when the name matches none', () => {
    expect(() => chooseApi(apis, 'Nope')).toThrow(
      'the scenario\'s api "Nope" is none of the stack\'s APIs; they are: OrdersHttpApi1A2B3C4D (Shop/OrdersHttpApi), OrdersRestApi5E6F7A8B (Shop/OrdersRestApi), ExportFunctionUrl9C0D1E2F',
    );
  });
});

describe("the start-up lines of the stack's outputs", () => {
  it('put every value in one column, past the longest name, and say why one is not known', () => {
    expect(
      outputLines([
        { name: 'QueueUrl', value: 'http://127.0.0.1:40003/123456789012/Shop-Jobs-0A1B2C3D4E5F' },
        { name: 'itemsApiEndpoint8392E274', value: 'http://127.0.0.1:3001/prod/' },
        { name: 'VpcId', problem: 'Fn::ImportValue is not supported' },
      ]),
    ).toEqual([
      "outputs (the stack's CfnOutputs, as they read here):",
      '  QueueUrl                  http://127.0.0.1:40003/123456789012/Shop-Jobs-0A1B2C3D4E5F',
      '  itemsApiEndpoint8392E274  http://127.0.0.1:3001/prod/',
      '  VpcId                     (not known here: Fn::ImportValue is not supported)',
    ]);
  });

  it('are none without outputs', () => {
    expect(outputLines([])).toEqual([]);
  });
});
