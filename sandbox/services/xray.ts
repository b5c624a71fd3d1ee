/** The X-Ray daemon: takes the functions' segments over UDP and assembles their traces. */
import type { XRayDaemon } from '../xray/index.js';
import { startXRayDaemon } from '../xray/index.js';
import type { SandboxService } from './service.js';

export class XRayService implements SandboxService {
  readonly name = 'xray';
  daemon: XRayDaemon | undefined;

  async start(): Promise<void> {
    this.daemon = await startXRayDaemon();
  }

  async stop(): Promise<void> {
    await this.daemon?.close();
  }
}
