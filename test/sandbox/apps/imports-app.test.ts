/**
 * A function whose environment holds values known only once deployed: an import from another stack
 * and an attribute of a resource the sandbox does not run. The sandbox still starts; start-up names
 * each such variable, which the function sees unset, and the rest of its environment is as usual.
 */
import { expect, it } from '@jest/globals';
import { CfnResource, Fn } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runApp } from './support.js';

const run = runApp('ImportsApp', (stack) => {
  const cache = new CfnResource(stack, 'Cache', {
    type: 'AWS::ElastiCache::CacheCluster',
    properties: { Engine: 'redis', CacheNodeType: 'cache.t4g.micro', NumCacheNodes: 1 },
  });
  new lambda.Function(stack, 'Reader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      'exports.handler = async () => ({ vpc: process.env.VPC_ID ?? null, host: process.env.CACHE_HOST ?? null, mode: process.env.MODE });',
    ),
    environment: {
      VPC_ID: Fn.importValue('network-VpcId'),
      CACHE_HOST: cache.getAtt('RedisEndpoint.Address').toString(),
      MODE: 'local',
    },
  });
});

it('names each variable it cannot resolve, and why', () => {
  const name = [...run.sandbox.functions.keys()][0]!;
  expect(run.startUp).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        new RegExp(
          `^not emulated: ${name}'s environment variable VPC_ID: .*ImportValue.*; it is left unset$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^not emulated: ${name}'s environment variable CACHE_HOST: cannot resolve Fn::GetAtt Cache.RedisEndpoint.Address: .*; it is left unset$`,
        ),
      ),
    ]),
  );
});

it('runs the function with those variables unset and the others as usual', async () => {
  const name = [...run.sandbox.functions.keys()][0]!;
  const result = await run.sandbox.functions.get(name)!.invoke({});
  expect(result).toMatchObject({ status: 'success', result: { vpc: null, host: null, mode: 'local' } });
});
