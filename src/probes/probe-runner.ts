/**
 * Runs probes with a timeout each and records every failure as a gather error instead of
 * aborting, so one forbidden or slow call costs one evidence field and nothing more.
 */
import type { Logger } from '../logger.js';
import { isProbeSkippedError, ProbeTimeoutError } from './errors.js';

/** Progress of one probe, for spinners. */
export type ProbeState = 'started' | 'succeeded' | 'failed' | 'skipped';

/** Called when a probe starts and when it ends; `detail` is the gather error for `failed` and `skipped`. */
export type ProbeObserver = (name: string, state: ProbeState, detail?: string) => void;

/**
 * Runs named probes and collects their gather errors. `Context` is the detail a probe passes
 * to `describeFailure` about itself, such as the RBAC permission a Kubernetes probe needs.
 */
export class ProbeRunner<Context> {
  readonly gatherErrors: Record<string, string> = {};

  constructor(
    private readonly timeoutMs: number,
    private readonly observer: ProbeObserver,
    private readonly logger: Logger,
    private readonly describeFailure: (error: unknown, context: Context) => string,
  ) {}

  /**
   * Runs `probe` under the name of the evidence field it fills. On failure, timeout or
   * skip it records a gather error for that field and returns undefined. Pass `context` as
   * a function when it is only known after the probe has started.
   */
  async run<T>(field: string, context: Context | (() => Context), probe: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    this.observer(field, 'started');
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new ProbeTimeoutError(this.timeoutMs);
        controller.abort(error);
        reject(error);
      }, this.timeoutMs);
    });

    try {
      const value = await Promise.race([probe(controller.signal), timeout]);
      this.observer(field, 'succeeded');
      return value;
    } catch (error) {
      this.record(field, error, context);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records that a probe did not run, and why. */
  skip(field: string, reason: string): undefined {
    this.gatherErrors[field] = reason;
    this.observer(field, 'skipped', reason);
    return undefined;
  }

  private record(field: string, error: unknown, context: Context | (() => Context)): void {
    if (isProbeSkippedError(error)) {
      this.skip(field, error.message);
      return;
    }

    const text = this.describeFailure(error, typeof context === 'function' ? (context as () => Context)() : context);
    this.gatherErrors[field] = text;
    this.logger.warn('Probe failed', { field, error: text });
    this.observer(field, 'failed', text);
  }
}
