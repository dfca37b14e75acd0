import type { Diagnosis } from '../../src/diagnosis/types.js';

/** A selector-mismatch diagnosis with one consequence, one pass and one gather error. */
export const selectorMismatchDiagnosis: Diagnosis = {
  apiVersion: 'spiffe-doctor/v1',
  kind: 'Diagnosis',
  target: { namespace: 'platform', pod: 'web-7c9d8b6f5-q2x7k', node: 'node-a' },
  verdict: 'no-svid',
  rootCause: {
    cause: 'selector-mismatch',
    checkId: 'entry-selectors-match',
    summary: 'Entry spiffe://example.org/ns/shop/sa/web wants k8s:ns:shop, but the pod runs in namespace platform.',
    fix: ['kubectl -n shop apply -f web.yaml'],
  },
  findings: [
    {
      checkId: 'entry-selectors-match',
      status: 'fail',
      cause: 'selector-mismatch',
      summary: 'Entry spiffe://example.org/ns/shop/sa/web wants k8s:ns:shop, but the pod runs in namespace platform.',
      evidence: ['entry selector k8s:ns:shop; pod has k8s:ns:platform'],
      fix: ['kubectl -n shop apply -f web.yaml'],
      consequenceOf: null,
    },
    {
      checkId: 'workload-fetch-succeeds',
      status: 'fail',
      cause: null,
      summary: 'spire-agent api fetch failed: PermissionDenied no identity issued',
      evidence: ['rpc error: code = PermissionDenied desc = no identity issued'],
      fix: [],
      consequenceOf: 'entry-selectors-match',
    },
    {
      checkId: 'agent-on-node',
      status: 'pass',
      cause: null,
      summary: 'Agent spire-agent-x2 runs on node-a.',
      evidence: [],
      fix: [],
      consequenceOf: null,
    },
  ],
  gatherErrors: { serverLogs: 'forbidden: grant pods/log in namespace spire' },
  tool: { name: 'spiffe-doctor', version: '0.1.0' },
};
