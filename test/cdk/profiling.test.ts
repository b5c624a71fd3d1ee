/** ObservedFunction's profiling option: the environment the library reads, and a role scoped to the profile prefix. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { ObservedFunctionProfiling } from '../../lib/cdk/index.js';
import { ObservedFunction } from '../../lib/cdk/index.js';
import { FIXTURE_ENTRY, NO_BUNDLING, onlyResource } from './support/template.js';

function synth(profiling: (stack: Stack) => ObservedFunctionProfiling | undefined) {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Fn');
  new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, profiling: profiling(stack) });
  return Template.fromStack(stack);
}

const statementsOf = (template: Template) =>
  (onlyResource(template, 'AWS::IAM::Policy')[1].Properties.PolicyDocument as { Statement: unknown[] })
    .Statement;

describe('ObservedFunction profiling', () => {
  it('tells the library where profiles go and which invocations to profile', () => {
    const template = synth((stack) => ({
      bucket: s3.Bucket.fromBucketName(stack, 'Profiles', 'lookout-profiles'),
      sampleRate: 0.01,
      slowerThanMs: 1500,
    }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LOOKOUT_PROFILE_BUCKET: 'lookout-profiles',
          LOOKOUT_PROFILE_PREFIX: 'profiles/',
          LOOKOUT_PROFILE_SAMPLE_RATE: '0.01',
          LOOKOUT_PROFILE_SLOWER_THAN_MS: '1500',
        }),
      },
    });
  });

  it('may put objects under the prefix and nothing else', () => {
    const template = synth((stack) => ({
      bucket: s3.Bucket.fromBucketName(stack, 'Profiles', 'lookout-profiles'),
      prefix: 'cpu/orders',
      sampleRate: 0.1,
    }));
    const s3Statements = statementsOf(template).filter((statement) =>
      JSON.stringify(statement).includes('s3:'),
    );
    expect(s3Statements).toEqual([
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::lookout-profiles/cpu/orders/*']],
        },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LOOKOUT_PROFILE_PREFIX: 'cpu/orders/' }) },
    });
  });

  it('may encrypt with the key of a KMS-encrypted bucket, and only that', () => {
    const template = synth((stack) => {
      const encryptionKey = new kms.Key(stack, 'ProfileKey', { enableKeyRotation: true });
      return { bucket: new s3.Bucket(stack, 'Profiles', { encryptionKey }), slowerThanMs: 2000 };
    });
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
    expect(statementsOf(template)).toEqual(
      expect.arrayContaining([
        { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      ]),
    );
  });

  it('leaves the environment and the role alone without the option', () => {
    const template = synth(() => undefined);
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties
      .Environment.Variables as Record<string, string>;
    expect(Object.keys(variables).filter((key) => key.startsWith('LOOKOUT_PROFILE'))).toEqual([]);
    expect(JSON.stringify(statementsOf(template))).not.toContain('s3:');
  });

  it.each([
    ['a sample rate above 1', { sampleRate: 1.5 }, 'sampleRate'],
    ['a negative threshold', { slowerThanMs: -1 }, 'slowerThanMs'],
    ['a prefix with a wildcard', { prefix: 'profiles/*' }, 'prefix'],
    ['an absolute prefix', { prefix: '/profiles' }, 'prefix'],
  ])('rejects %s', (_name, settings, field) => {
    expect(() =>
      synth((stack) => ({
        bucket: s3.Bucket.fromBucketName(stack, 'Profiles', 'lookout-profiles'),
        ...settings,
      })),
    ).toThrow(field);
  });
});
