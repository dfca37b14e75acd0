import { describe, expect, it } from 'vitest';

import { GoTemplateError, isGoTemplateError, renderGoTemplate, type GoTemplateData } from '../../src/spire/go-template.js';

const data: GoTemplateData = {
  TrustDomain: 'corp.test',
  ClusterName: 'ops',
  ClusterDomain: 'cluster.local',
  PodMeta: {
    name: 'web-7c9d8b6f5-q2x7k',
    namespace: 'shop',
    uid: '0b5d7e31-8c2f-4e0a-b6a1-2f9c3d4e5a61',
    labels: { app: 'web', 'app.kubernetes.io/name': 'storefront' },
  },
  PodSpec: { serviceAccountName: 'web', nodeName: 'node-a', containers: [{ name: 'web' }] },
  NodeMeta: { name: 'node-a', uid: 'f3e2d1c0-0a1b-4c2d-8e3f-405162738495' },
  NodeSpec: { providerID: 'aws:///eu-west-1a/i-0abc' },
};

describe('renderGoTemplate', () => {
  it.each([
    {
      name: 'namespace and service account',
      template: 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}',
      expected: 'spiffe://corp.test/ns/shop/sa/web',
    },
    { name: 'label by field path', template: '{{ .PodMeta.Labels.app }}', expected: 'web' },
    { name: 'label by index', template: '{{ index .PodMeta.Labels "app.kubernetes.io/name" }}', expected: 'storefront' },
    { name: 'missing label by field path', template: '{{ .PodMeta.Labels.team }}', expected: '<no value>' },
    { name: 'missing label by index', template: '[{{ index .PodMeta.Labels "team" }}]', expected: '[]' },
    { name: 'absent labels map', template: '{{ .NodeMeta.Labels.zone }}', expected: '<no value>' },
    { name: 'cluster name and node UID', template: '{{ .ClusterName }}/{{ .NodeMeta.UID }}', expected: 'ops/f3e2d1c0-0a1b-4c2d-8e3f-405162738495' },
    { name: 'node spec field', template: '{{ .NodeSpec.ProviderID }}', expected: 'aws:///eu-west-1a/i-0abc' },
    { name: 'unset string field', template: '[{{ .PodSpec.Hostname }}]', expected: '[]' },
    { name: 'trim markers', template: 'a  {{- .ClusterName -}}  b', expected: 'aopsb' },
    { name: 'comment', template: 'x{{/* note */}}y', expected: 'xy' },
    { name: 'string literal', template: '{{ "lit" }}', expected: 'lit' },
    { name: 'no actions', template: 'plain', expected: 'plain' },
  ])('renders $name', ({ template, expected }) => {
    expect(renderGoTemplate(template, data)).toBe(expected);
  });

  it.each([
    { name: 'unknown root field', template: '{{ .Namespace }}', message: "can't evaluate field Namespace in type *spireentry.templateData", unsupported: false },
    { name: 'unknown struct field', template: '{{ .PodMeta.Labelz }}', message: "can't evaluate field Labelz in type *v1.ObjectMeta", unsupported: false },
    { name: 'nil pod in parent template', template: '{{ .PodMeta.Name }}', message: 'nil pointer evaluating field Name', unsupported: false, data: { TrustDomain: 'corp.test' } },
    { name: 'unclosed action', template: 'spiffe://{{ .TrustDomain', message: 'unclosed action', unsupported: false },
    { name: 'pipe', template: '{{ .PodMeta.Name | printf "%s" }}', message: 'outside the supported subset', unsupported: true },
    { name: 'if block', template: '{{ if .PodMeta.Name }}x{{ end }}', message: 'outside the supported subset', unsupported: true },
    { name: 'other function', template: '{{ printf "%s" .PodMeta.Name }}', message: 'function "printf" is not supported', unsupported: true },
    { name: 'variable', template: '{{ $x := 1 }}', message: 'outside the supported subset', unsupported: true },
    { name: 'object output', template: '{{ .PodMeta.Labels }}', message: 'does not format as Go would', unsupported: true },
    { name: 'index out of range', template: '{{ index .PodSpec.Containers 5 }}', message: 'index out of range: 5', unsupported: false },
  ])('rejects $name', ({ template, message, unsupported, data: override }) => {
    let caught: unknown;
    try {
      renderGoTemplate(template, override ?? data);
    } catch (error) {
      caught = error;
    }

    expect(isGoTemplateError(caught)).toBe(true);
    expect((caught as GoTemplateError).message).toContain(message);
    expect((caught as GoTemplateError).unsupported).toBe(unsupported);
  });
});
