/**
 * `spiffe-doctor why [POD]`: finds out why a workload does not get its SVID, from a live
 * cluster, the lab, a saved evidence file or a process on this host.
 */
import { Args, Flags } from '@oclif/core';
import { confirm, input, select } from '@inquirer/prompts';
import { BaseCommand } from '../cli/base-command.js';
import { isInteractive, processInteractivity } from '../cli/interactive.js';
import { canShowSpinner, createProbeProgress } from '../cli/progress.js';
import { exitCodeFor } from '../diagnosis/diagnose.js';
import type { Diagnosis } from '../diagnosis/types.js';
import { isUserError, UserError } from '../errors.js';
import { isSpiffeIdError } from '../spiffe/errors.js';
import { parseSpiffeId } from '../spiffe/id.js';
import { saveEvidenceFile } from '../evidence/file.js';
import type { Evidence } from '../evidence/types.js';
import type { EvidenceSource, GatherOptions } from '../probes/gather.js';
import type { SpireLayoutOptions } from '../probes/kube/spire-layout.js';
import type { ProbeObserver } from '../probes/probe-runner.js';
import { OUTPUT_FORMATS, renderDiagnosis, shouldUseColor, stripControlSequences, type OutputFormat } from '../report/index.js';
import { openClusterSession, type ClusterSession } from '../service/cluster-session.js';
import { listPodChoices } from '../service/pod-choices.js';
import { diagnoseWorkload, fetchNeedsDebugContainer, type WhyResult } from '../service/why.js';

type WhyFlags = Awaited<ReturnType<Why['parse']>>['flags'];

export default class Why extends BaseCommand {
  static override summary = 'Find out why a workload does not get its SVID, and how to fix it.';

  static override description = `Gathers evidence about the pod (or process) and the SPIRE deployment, runs every check, and prints the root cause first, with its evidence and fix. Downstream failures are marked as consequences of the root cause.

Sources: a live cluster (default, through your kubeconfig), the lab (--lab, a simulated cluster on 127.0.0.1), a saved evidence file (--from-evidence), or a process on this host (--pid).

Exit codes: 0 the workload gets a working SVID; 1 a problem was diagnosed; 2 spiffe-doctor could not diagnose (bad input, no access, or evidence that does not settle it).`;

  static override examples = [
    '<%= config.bin %> why web-7f9c-q2x7k -n shop',
    '<%= config.bin %> why web-7f9c-q2x7k -n shop -o json --save-evidence ticket-1234.json',
    '<%= config.bin %> why --from-evidence ticket-1234.json',
    '<%= config.bin %> why web-7d9f8b6c5-x2x9q -n shop --lab --scenario selector-mismatch',
    '<%= config.bin %> why --pid 4242 --agent-config /opt/spire/conf/agent/agent.conf',
  ];

  static override args = {
    pod: Args.string({
      description: 'Name of the workload pod. Optional with --from-evidence; asked for on a terminal when omitted.',
      // Piped input is for `--from-evidence -`, never the pod name.
      ignoreStdin: true,
    }),
  };

  static override flags = {
    namespace: Flags.string({ char: 'n', description: "Namespace of the pod. Default: the kubeconfig context's namespace, else default." }),
    container: Flags.string({ char: 'c', description: 'Workload container. Default: the default-container annotation, else the first container.' }),
    context: Flags.string({ description: 'kubeconfig context to use. Default: the current context.' }),
    kubeconfig: Flags.string({ description: 'Path of the kubeconfig file. Default: KUBECONFIG, then ~/.kube/config, then in-cluster config.' }),
    output: Flags.string({ char: 'o', description: 'Output format.', options: [...OUTPUT_FORMATS], default: 'table' }),
    verbose: Flags.boolean({ char: 'v', description: 'In table output, also list findings that passed or were skipped.', default: false }),
    'from-evidence': Flags.string({ description: 'Diagnose a saved evidence file (JSON or YAML; - reads standard input) instead of gathering.', exclusive: ['lab', 'pid', 'kubeconfig', 'context'] }),
    'save-evidence': Flags.string({ description: 'Also write the gathered evidence, with secrets redacted, to this file.' }),
    'expect-id': Flags.string({ description: 'The SPIFFE ID the workload or its peers expect; a different issued ID is reported as wrong-identity.' }),
    lab: Flags.boolean({ description: 'Diagnose inside the lab, a simulated cluster on 127.0.0.1, instead of a live cluster.', default: false, exclusive: ['pid', 'kubeconfig', 'context'] }),
    scenario: Flags.string({ description: 'Lab scenario: a bundled name (see `lab scenarios`) or a scenario file.', default: 'selector-mismatch', dependsOn: ['lab'] }),
    'spire-namespace': Flags.string({ description: 'Namespace of the SPIRE server and agents. Default: spire, then the Helm chart namespaces spire-system and spire-server.' }),
    'agent-namespace': Flags.string({ description: 'Namespace of the agent DaemonSet. Default: --spire-namespace.' }),
    'server-namespace': Flags.string({ description: 'Namespace of the SPIRE server. Default: --spire-namespace.' }),
    'agent-selector': Flags.string({ description: 'Label selector of agent pods. Default: app=spire-agent, then app.kubernetes.io/name=agent.' }),
    'server-selector': Flags.string({ description: 'Label selector of server pods. Default: app=spire-server, then app.kubernetes.io/name=server.' }),
    'agent-container': Flags.string({ description: 'Container running the agent. Default: spire-agent.' }),
    'server-container': Flags.string({ description: 'Container running the server. Default: spire-server.' }),
    'agent-binary': Flags.string({ description: 'Path of spire-agent in the agent image (or on this host with --pid). Default: /opt/spire/bin/spire-agent.' }),
    'server-binary': Flags.string({ description: 'Path of spire-server in the server image (or on this host with --pid). Default: /opt/spire/bin/spire-server.' }),
    'agent-socket': Flags.string({ description: "The agent's Workload API socket path. Default: socket_path from agent.conf, else /tmp/spire-agent/public/api.sock." }),
    'server-socket': Flags.string({ description: "The server's admin socket path. Default: /tmp/spire-server/private/api.sock." }),
    'allow-debug-container': Flags.boolean({
      description: 'When the workload image has no spire-agent binary, add an ephemeral debug container that mounts the same socket volume and fetch from it. This changes the pod.',
      default: false,
    }),
    'serving-certs': Flags.boolean({
      description: "Also connect to each TCP port the workload's containers declare, through a port-forward, and check the certificates it serves (needs pods/portforward).",
      default: false,
    }),
    'debug-image': Flags.string({ description: 'Image of the debug container. Default: ghcr.io/spiffe/spire-agent:1.15.3.' }),
    'probe-timeout': Flags.integer({ description: 'Timeout of each probe, in seconds.', default: 15, min: 1 }),
    'log-lines': Flags.integer({ description: 'Lines to read from the end of the agent and server logs.', default: 200, min: 1 }),
    pid: Flags.integer({ description: 'Diagnose this process on this host (a workload outside Kubernetes).', min: 1 }),
    uid: Flags.integer({ description: 'With --pid: the uid the workload runs as, when /proc cannot be read for it.', min: 0, dependsOn: ['pid'] }),
    'agent-config': Flags.string({ description: 'With --pid: path of the agent config file.', dependsOn: ['pid'] }),
    'agent-log': Flags.string({ description: 'With --pid: path of the agent log file. Default: journalctl -u spire-agent.', dependsOn: ['pid'] }),
    'entries-file': Flags.string({ description: 'With --pid: `spire-server entry show -output json` output saved to a file.', dependsOn: ['pid'] }),
  };

  async run(): Promise<Diagnosis> {
    const { args, flags } = await this.parse(Why);
    if (flags['expect-id'] !== undefined) validateExpectedId(flags['expect-id']);
    const interactive = isInteractive(processInteractivity(flags['no-input']));
    const format = flags.output as OutputFormat;

    const session = await this.openSession(flags);
    try {
      const target = await this.resolveTarget(args.pod, flags, session, interactive);
      let result = await this.gather(target, flags, false);
      if (target.kind === 'evidence-file') requireSameWorkload(result.evidence, args.pod, flags.namespace, target.path);
      if (interactive && !flags['allow-debug-container'] && fetchNeedsDebugContainer(result.evidence)) {
        if (await this.confirmDebugContainer()) result = await this.gather(target, flags, true);
      }

      this.print(result.diagnosis, format, flags.verbose);
      if (interactive && format === 'table') await this.offerNextSteps(result);
      const code = exitCodeFor(result.diagnosis);
      if (code !== 0) this.exit(code);
      return result.diagnosis;
    } finally {
      await session?.close();
    }
  }

  private async openSession(flags: WhyFlags): Promise<ClusterSession | undefined> {
    if (flags['from-evidence'] !== undefined || flags.pid !== undefined) return undefined;
    return openClusterSession(flags.lab ? { kind: 'lab', scenario: flags.scenario } : { kind: 'cluster', kubeconfigPath: flags.kubeconfig, context: flags.context });
  }

  private async resolveTarget(pod: string | undefined, flags: WhyFlags, session: ClusterSession | undefined, interactive: boolean): Promise<EvidenceSource> {
    if (flags['from-evidence'] !== undefined) return { kind: 'evidence-file', path: flags['from-evidence'] };
    if (flags.pid !== undefined) {
      if (pod !== undefined) throw new UserError(`both a pod (${pod}) and --pid ${flags.pid} were given`, { suggestions: ['Name a pod, or use --pid for a process on this host, not both.'] });
      return { kind: 'process', pid: flags.pid, uid: flags.uid, expectedSpiffeId: flags['expect-id'] };
    }
    if (session === undefined) throw new Error('a cluster session is required for a pod target');

    const namespace = flags.namespace ?? session.contextNamespace ?? 'default';
    const name = pod ?? (interactive ? await this.pickPod(session, namespace) : undefined);
    if (name === undefined) {
      throw new UserError('no pod was named', { suggestions: [`Run spiffe-doctor why POD -n ${namespace}; list pods with kubectl get pods -n ${namespace}.`] });
    }
    return { kind: 'cluster', kubeconfigPath: session.kubeconfigPath, context: session.context, namespace, pod: name, container: flags.container, expectedSpiffeId: flags['expect-id'] };
  }

  private async pickPod(session: ClusterSession, namespace: string): Promise<string> {
    const choices = await listPodChoices(session.source, namespace);
    if (choices.length === 0) throw new UserError(`namespace ${namespace} has no pods`, { suggestions: ['Pass -n NAMESPACE to pick another namespace.'] });
    return select({
      message: `Pod in namespace ${namespace} (those least likely to have an SVID first)`,
      choices: choices.map((choice) => ({ name: `${stripControlSequences(choice.name)}  (${choice.note})`, value: choice.name })),
    });
  }

  private async gather(source: EvidenceSource, flags: WhyFlags, allowDebugContainer: boolean): Promise<WhyResult> {
    const progress = createProbeProgress(source.kind !== 'evidence-file' && canShowSpinner(process.stderr));
    try {
      return await diagnoseWorkload({ source, gather: this.gatherOptions(flags, allowDebugContainer, progress.observer), toolVersion: this.config.version });
    } finally {
      progress.finish();
    }
  }

  private gatherOptions(flags: WhyFlags, allowDebugContainer: boolean, onProbe: ProbeObserver): GatherOptions {
    const spire: SpireLayoutOptions = {
      agentNamespace: flags['agent-namespace'] ?? flags['spire-namespace'],
      serverNamespace: flags['server-namespace'] ?? flags['spire-namespace'],
      agentLabelSelector: flags['agent-selector'],
      serverLabelSelector: flags['server-selector'],
      agentContainer: flags['agent-container'],
      serverContainer: flags['server-container'],
      agentBinary: flags['agent-binary'],
      serverBinary: flags['server-binary'],
      agentSocketPath: flags['agent-socket'],
      serverSocketPath: flags['server-socket'],
    };
    const probeTimeoutMs = flags['probe-timeout'] * 1000;
    return {
      saveEvidencePath: flags['save-evidence'],
      expectedSpiffeId: flags['expect-id'],
      pod: {
        spire,
        probeTimeoutMs,
        logTailLines: flags['log-lines'],
        allowDebugContainer: allowDebugContainer || flags['allow-debug-container'],
        probeServedCertificates: flags['serving-certs'],
        debugImage: flags['debug-image'],
        onProbe,
      },
      process: {
        agentConfigPath: flags['agent-config'],
        agentLogPath: flags['agent-log'],
        agentSocketPath: flags['agent-socket'],
        agentBinary: flags['agent-binary'],
        serverBinary: flags['server-binary'],
        serverSocketPath: flags['server-socket'],
        entriesFile: flags['entries-file'],
        logTailLines: flags['log-lines'],
        probeTimeoutMs,
        onProbe,
      },
    };
  }

  private print(diagnosis: Diagnosis, format: OutputFormat, verbose: boolean): void {
    const color = shouldUseColor(process.stdout);
    process.stdout.write(renderDiagnosis(diagnosis, format, { color, width: process.stdout.columns, verbose }));
  }

  private async confirmDebugContainer(): Promise<boolean> {
    return confirm({
      message:
        'The workload image has no spire-agent binary. Add an ephemeral debug container that mounts the same socket volume and fetch from there? ' +
        'This changes the pod, and the debug container gets its own container selectors.',
      default: false,
    });
  }

  private async offerNextSteps(result: WhyResult): Promise<void> {
    for (;;) {
      const step = await select({
        message: 'Next step',
        choices: [
          { name: 'Show the evidence behind a finding', value: 'evidence' },
          { name: 'Print the fix commands', value: 'fix' },
          { name: 'Save the evidence file for a ticket (secrets redacted)', value: 'save' },
          { name: 'Quit', value: 'quit' },
        ],
      });
      if (step === 'quit') return;
      if (step === 'evidence') await this.showFindingEvidence(result.diagnosis);
      if (step === 'fix') this.printFixes(result.diagnosis);
      if (step === 'save') await this.saveEvidenceInteractively(result.evidence, result.diagnosis);
    }
  }

  private async showFindingEvidence(diagnosis: Diagnosis): Promise<void> {
    const checkId = await select({
      message: 'Finding',
      choices: diagnosis.findings.map((finding) => ({ name: `${finding.status.padEnd(7)} ${finding.checkId}`, value: finding.checkId })),
    });
    const finding = diagnosis.findings.find((candidate) => candidate.checkId === checkId);
    const lines = finding?.evidence.length ? finding.evidence : ['(this finding quotes no evidence)'];
    process.stdout.write(`${lines.map((line) => `  ${stripControlSequences(line)}`).join('\n')}\n`);
  }

  private printFixes(diagnosis: Diagnosis): void {
    const fixes = diagnosis.rootCause?.fix ?? [];
    const text = fixes.length > 0 ? fixes.map((line) => stripControlSequences(line)).join('\n') : 'No fix to apply: no root cause was found.';
    process.stdout.write(`${text}\n`);
  }

  private async saveEvidenceInteractively(evidence: Evidence, diagnosis: Diagnosis): Promise<void> {
    const suggested = `spiffe-doctor-evidence-${diagnosis.target.pod ?? diagnosis.target.pid ?? 'workload'}.json`;
    for (;;) {
      const path = await input({ message: 'Save evidence to', default: suggested });
      try {
        await saveEvidenceFile(path, evidence);
        process.stdout.write(`Evidence saved to ${path} (private keys, JWTs and join tokens redacted).\n`);
        return;
      } catch (error) {
        if (!isUserError(error)) throw error;
        process.stderr.write(`${stripControlSequences(error.message)}\nTry another path.\n`);
      }
    }
  }
}

/** Rejects an `--expect-id` that is not a SPIFFE ID, before anything is gathered. */
function validateExpectedId(text: string): void {
  try {
    parseSpiffeId(text);
  } catch (error) {
    if (!isSpiffeIdError(error)) throw error;
    throw new UserError(`invalid --expect-id "${text}": ${error.reason}`, { suggestions: ['Pass a full SPIFFE ID, for example --expect-id spiffe://example.org/ns/shop/sa/web.'] });
  }
}

/**
 * Rejects a pod argument or namespace that names another workload than the evidence
 * file, because diagnosing the file's workload instead would answer another question.
 */
function requireSameWorkload(evidence: Evidence, pod: string | undefined, namespace: string | undefined, path: string): void {
  const filePod = evidence.pod?.metadata?.name;
  const fileNamespace = evidence.pod?.metadata?.namespace;
  const podDiffers = pod !== undefined && filePod !== undefined && pod !== filePod;
  const namespaceDiffers = namespace !== undefined && fileNamespace !== undefined && namespace !== fileNamespace;
  if (!podDiffers && !namespaceDiffers) return;
  throw new UserError(`evidence file ${path} is about pod ${fileNamespace ?? '?'}/${filePod ?? '?'}, not ${namespace ?? fileNamespace ?? '?'}/${pod ?? filePod ?? '?'}`, {
    suggestions: ['Leave out the pod argument and -n with --from-evidence: the file names the workload.'],
  });
}
