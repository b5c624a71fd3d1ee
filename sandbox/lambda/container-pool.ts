/**
 * One function's containers: started on demand up to the machine's limit, reused while warm (the
 * most recently used first), stopped after sitting idle, and replaced when one dies. Beyond the
 * limit an invocation waits for a container to be free.
 */
import type { Container } from './container.js';

export class ContainerPool {
  private readonly all = new Set<Container>();
  /** Warm containers waiting for work, most recently used last. */
  private readonly idle: Container[] = [];
  private readonly idleTimers = new Map<Container, NodeJS.Timeout>();
  /** Invocations waiting for a container, woken one at a time as containers park or go away. */
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly options: {
      /** Starts a new container (its init phase runs from here). */
      spawn: () => Container;
      maxContainers: number;
      idleTimeoutMs: number;
      /** Names the function in the error an invocation gets when the pool closes under it. */
      name: string;
    },
  ) {}

  get containers(): readonly Container[] {
    return [...this.all];
  }

  /** A warm container, or a new one (`coldStart`), waiting while the pool is at its limit. */
  async acquire(): Promise<{ container: Container; coldStart: boolean }> {
    for (;;) {
      if (this.closed) throw new Error(`Function "${this.options.name}" has been closed`);
      const warm = this.takeIdle();
      if (warm) return { container: warm, coldStart: false };
      if (this.all.size < this.options.maxContainers) return { container: this.spawn(), coldStart: true };
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  /** Back to the pool when it can take more work; stopped otherwise. */
  release(container: Container, reusable: boolean): void {
    if (!reusable || this.closed || container.state !== 'idle') return this.retire(container);
    this.idle.push(container);
    this.idleTimers.set(
      container,
      setTimeout(() => this.retire(container), this.options.idleTimeoutMs).unref(),
    );
    this.wakeOne();
  }

  /** Stops every container; invocations still waiting for one fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    const containers = [...this.all];
    for (const container of containers) this.forget(container);
    await Promise.all(containers.map((container) => container.kill()));
  }

  private spawn(): Container {
    const container = this.options.spawn();
    this.all.add(container);
    container.onDeath(() => this.forget(container));
    return container;
  }

  private takeIdle(): Container | undefined {
    const container = this.idle.pop();
    if (container) {
      clearTimeout(this.idleTimers.get(container));
      this.idleTimers.delete(container);
    }
    return container;
  }

  private retire(container: Container): void {
    this.forget(container);
    void container.kill();
  }

  private forget(container: Container): void {
    this.all.delete(container);
    const index = this.idle.indexOf(container);
    if (index >= 0) this.idle.splice(index, 1);
    clearTimeout(this.idleTimers.get(container));
    this.idleTimers.delete(container);
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }
}
