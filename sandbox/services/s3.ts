/**
 * S3: the stack's buckets, their objects as files under `.sandbox/s3/<bucket>/` (emptied at every
 * start). Bucket notifications are not emulated, and start-up says so for each bucket that has them.
 */
import { join } from 'node:path';
import type { S3StandIn } from '../aws/s3.js';
import { startS3StandIn } from '../aws/s3.js';
import { resourcesOfType, SANDBOX_REGION } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class S3Service implements SandboxService {
  readonly name = 's3';
  readonly resourceTypes = ['AWS::S3::Bucket'];
  standIn: S3StandIn | undefined;

  get endpoint(): string {
    return this.standIn?.url ?? '';
  }

  async start({ stack, stateDir, log }: ServiceContext): Promise<void> {
    const { template, resolver } = stack;
    const buckets = resourcesOfType(template, 'AWS::S3::Bucket').map(([logicalId, resource]) => {
      const name = resolver.physicalName(logicalId);
      if (resource.Properties?.NotificationConfiguration !== undefined)
        log(
          `not emulated: ${name}: bucket notifications (NotificationConfiguration); no event reaches their targets`,
        );
      return name;
    });
    for (const [logicalId, resource] of resourcesOfType(template, 'Custom::S3BucketNotifications')) {
      let bucket = logicalId;
      try {
        bucket = String(resolver.resolve(resource.Properties?.BucketName));
      } catch {
        // named by the custom resource's logical id instead
      }
      log(`not emulated: ${bucket}: bucket notifications (${logicalId}); no event reaches their targets`);
    }
    this.standIn = await startS3StandIn({ buckets, directory: join(stateDir, 's3'), region: SANDBOX_REGION });
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}
