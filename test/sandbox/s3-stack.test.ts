/**
 * The sandbox runs a stack's S3 buckets: their names and attributes resolve as once deployed, a
 * function writes to a bucket through the runtime's SDK with nothing but the environment the
 * sandbox gives it, the object lands in `.sandbox/s3/<bucket>/`, and start-up says that bucket
 * notifications are not emulated.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as notifications from 'aws-cdk-lib/aws-s3-notifications';
import {
  generatedName,
  IntrinsicResolver,
  resourcesOfType,
  SANDBOX_REGION,
} from '../../sandbox/template/index.js';
import { runApp } from './apps/support.js';

// Long enough that the generated bucket name must be cut to S3's 63 characters.
const STACK = 'ServerlessImageResizingPipelineStack';

const run = runApp(STACK, (cdk) => {
  const uploads = new s3.Bucket(cdk, 'UploadedImagesBucket', {
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  const reports = new s3.Bucket(cdk, 'Reports', { bucketName: 'nightly-reports' });
  const writer = new lambda.Function(cdk, 'Writer', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
       const client = new S3Client({});
       exports.handler = async (event) => {
         await client.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.key, Body: event.body }));
         return process.env;
       };`,
    ),
    environment: {
      BUCKET: uploads.bucketName,
      BUCKET_ARN: uploads.bucketArn,
      DOMAIN: uploads.bucketDomainName,
      REGIONAL_DOMAIN: uploads.bucketRegionalDomainName,
      DUAL_STACK_DOMAIN: uploads.bucketDualStackDomainName,
      WEBSITE: uploads.bucketWebsiteUrl,
      REPORTS: reports.bucketName,
    },
  });
  uploads.grantReadWrite(writer);
  new s3.CfnBucket(cdk, 'RawEvents', {
    bucketName: 'raw-events',
    notificationConfiguration: { eventBridgeConfiguration: { eventBridgeEnabled: true } },
  });
  reports.addEventNotification(s3.EventType.OBJECT_CREATED, new notifications.LambdaDestination(writer));
});

describe('bucket names and attributes', () => {
  it('generates a lowercase name cut to 63 characters, and resolves the attributes a function reads', async () => {
    const result = await run.sandbox.functions
      .get(run.sandbox.stack.functions[0]!.name)!
      .invoke({ key: 'k', body: 'b' });
    const environment = result.result as Record<string, string>;
    const name = environment.BUCKET!;
    const [logicalId] = resourcesOfType(run.sandbox.stack.template, 'AWS::S3::Bucket').find(
      ([, resource]) => resource.Properties?.BucketName === undefined,
    )!;
    expect(name).toHaveLength(63);
    expect(name).toBe(generatedName(STACK, logicalId, 63).toLowerCase());
    expect(name).toMatch(/^serverlessimageresizingpi-uploadedimagesbucket[0-9a-f]+-[0-9a-f]{12}$/);
    expect(environment).toMatchObject({
      BUCKET_ARN: `arn:aws:s3:::${name}`,
      DOMAIN: `${name}.s3.amazonaws.com`,
      REGIONAL_DOMAIN: `${name}.s3.${SANDBOX_REGION}.amazonaws.com`,
      DUAL_STACK_DOMAIN: `${name}.s3.dualstack.${SANDBOX_REGION}.amazonaws.com`,
      WEBSITE: `http://${name}.s3-website.${SANDBOX_REGION}.amazonaws.com`,
      REPORTS: 'nightly-reports',
      AWS_ENDPOINT_URL_S3: run.sandbox.endpoints.s3,
    });
  });

  it('uses the older regions’ dashed website endpoint', () => {
    const resolver = new IntrinsicResolver(
      { Resources: { Site: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'site' } } } },
      { region: 'us-east-1' },
    );
    expect(resolver.resolve({ 'Fn::GetAtt': ['Site', 'WebsiteURL'] })).toBe(
      'http://site.s3-website-us-east-1.amazonaws.com',
    );
    expect(resolver.resolve({ Ref: 'Site' })).toBe('site');
  });
});

describe('a function writing to a bucket', () => {
  it('puts an object the user can read through the endpoint and open in .sandbox/s3', async () => {
    const spec = run.sandbox.stack.functions[0]!;
    const result = await run.sandbox.functions
      .get(spec.name)!
      .invoke({ key: 'thumbs/cat 1.png', body: 'meow' });
    expect(result.error).toBeUndefined();
    const bucket = (result.result as Record<string, string>).BUCKET!;
    const client = new S3Client({
      region: SANDBOX_REGION,
      endpoint: run.sandbox.endpoints.s3,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'thumbs/cat 1.png' }));
      expect(await got.Body!.transformToString()).toBe('meow');
    } finally {
      client.destroy();
    }
    expect(readFileSync(join(run.work, '.sandbox', 's3', bucket, 'thumbs', 'cat 1.png'), 'utf8')).toBe(
      'meow',
    );
  });

  it('runs the stack’s function only, not the handlers CDK deploys buckets with', () => {
    expect(run.sandbox.stack.functions.map((fn) => fn.logicalId)).toEqual([expect.stringMatching(/^Writer/)]);
  });
});

describe('start-up', () => {
  it('lists the S3 endpoint and says the bucket notifications are not emulated', () => {
    expect(run.sandbox.endpoints.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.startUp.filter((line) => line.startsWith('not emulated'))).toEqual([
      'not emulated: raw-events: bucket notifications (NotificationConfiguration); no event reaches their targets',
      expect.stringMatching(
        /^not emulated: nightly-reports: bucket notifications \(ReportsNotifications[0-9A-F]+\); no event reaches their targets$/,
      ),
    ]);
  });
});
