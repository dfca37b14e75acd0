/**
 * The running lab's state: the scenario's objects and the container logs. Logs grow
 * while the lab runs because the simulated SPIRE agent logs what it does, and pods
 * change when a client adds an ephemeral container.
 */
import { EventEmitter } from 'node:events';
import type { KubePod } from '../evidence/kube-types.js';
import type { LabObject, LabScenario } from './scenario-types.js';

/** One container log line with the time it was written. */
export interface LogLine {
  readonly time: Date;
  readonly text: string;
}

/** Returns the log key of a container: `namespace/pod/container`, plus `/previous` for the previous instance. */
export function logKey(namespace: string, pod: string, container: string, previous = false): string {
  return `${namespace}/${pod}/${container}${previous ? '/previous' : ''}`;
}

/** Mutable lab state shared by the API server and the exec backend. */
export class LabState {
  /** Emits `line` with `(key, LogLine)` whenever a log line is appended. */
  readonly logEvents = new EventEmitter();
  /** Emits `pod` with the updated pod whenever {@link updatePod} changes one. */
  readonly podEvents = new EventEmitter();
  private current: LabScenario;
  private lastProcessId = 4100;
  private readonly logs = new Map<string, LogLine[]>();
  private readonly clock: () => Date;

  constructor(scenario: LabScenario, clock: () => Date = () => new Date()) {
    this.current = scenario;
    this.clock = clock;
    this.logEvents.setMaxListeners(0);
    this.podEvents.setMaxListeners(0);
    for (const [key, lines] of Object.entries(scenario.logs)) {
      const time = this.podStartTime(key);
      this.logs.set(key, lines.map((text) => ({ time, text })));
    }
  }

  /** The scenario with every change made since the lab started. */
  get scenario(): LabScenario {
    return this.current;
  }

  /**
   * Replaces the pod `namespace/name` with what `update` returns and emits it on
   * {@link podEvents}. Does nothing when the pod does not exist.
   */
  updatePod(namespace: string, name: string, update: (pod: KubePod & LabObject) => KubePod & LabObject): (KubePod & LabObject) | undefined {
    const pod = this.findPod(namespace, name);
    if (!pod) return undefined;
    const updated = update(pod);
    this.current = { ...this.current, pods: this.current.pods.map((candidate) => (candidate === pod ? updated : candidate)) };
    this.podEvents.emit('pod', updated);
    return updated;
  }

  /** Returns a new process ID for a simulated command, as the node's kernel assigns one per exec. */
  nextProcessId(): number {
    this.lastProcessId += 7;
    return this.lastProcessId;
  }

  /** Returns the current time of the lab's clock. */
  now(): Date {
    return this.clock();
  }

  /** Finds a pod by namespace and name. */
  findPod(namespace: string, name: string): (KubePod & LabObject) | undefined {
    return this.scenario.pods.find((pod) => pod.metadata.namespace === namespace && pod.metadata.name === name);
  }

  /** Returns the log lines of a container (empty when it has none). */
  readLog(key: string): readonly LogLine[] {
    return this.logs.get(key) ?? [];
  }

  /** Appends one line to a container's log, stamped with the lab's clock. */
  appendLog(key: string, text: string): void {
    const line = { time: this.now(), text };
    const lines = this.logs.get(key) ?? [];
    lines.push(line);
    this.logs.set(key, lines);
    this.logEvents.emit('line', key, line);
  }

  private podStartTime(key: string): Date {
    const [namespace = '', name = ''] = key.split('/');
    const started = this.findPod(namespace, name)?.metadata.creationTimestamp;
    return started ? new Date(started) : this.now();
  }
}
