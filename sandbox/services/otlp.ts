/** The OTLP receiver: takes the functions' OpenTelemetry trace exports. */
import type { OtlpReceiver } from '../otlp.js';
import { startOtlpReceiver } from '../otlp.js';
import type { SandboxService } from './service.js';

export class OtlpService implements SandboxService {
  readonly name = 'otlp';
  receiver: OtlpReceiver | undefined;

  async start(): Promise<void> {
    this.receiver = await startOtlpReceiver();
  }

  async stop(): Promise<void> {
    await this.receiver?.close();
  }
}
