/**
 * The workload exists: the evidence has its pod (or, outside Kubernetes, its
 * process). When the gatherer could not find the pod, nothing else can be judged.
 */
import { failed, passed } from '../support/finding-builders.js';
import type { Check } from '../types.js';

export const podFoundCheck = {
  id: 'pod-found',
  category: 'workload',
  title: 'Workload pod exists',
  severity: 'error',
  requires: [],
  run({ evidence }) {
    const pod = evidence.pod;
    if (pod !== undefined) {
      return [passed(this.id, `Pod ${pod.metadata?.namespace ?? '?'}/${pod.metadata?.name ?? '?'} found.`)];
    }
    if (evidence.process !== undefined) {
      return [passed(this.id, `Workload process ${evidence.process.pid ?? '(no PID given)'} outside Kubernetes.`)];
    }

    const reason = evidence.gatherErrors?.pod;
    const notFound = reason !== undefined && /not ?found|ambiguous|no pod/i.test(reason);
    return [
      failed(this.id, {
        cause: 'pod-not-found',
        confidence: notFound ? 'certain' : 'likely',
        summary: reason === undefined ? 'The evidence has no workload pod.' : `The workload pod could not be read: ${reason}`,
        evidence: reason === undefined ? [] : [`gatherErrors.pod: ${reason}`],
        fix: ['Check the pod name and namespace: kubectl get pods -n NAMESPACE', 'Pass the pod as it exists now (a Deployment replaces pods under new names).'],
      }),
    ];
  },
} satisfies Check;
