/**
 * The default exec backend: simulates the `spire-server` and `spire-agent` binaries from
 * the scenario's SPIRE state. A container has `spire-server` or `spire-agent` when its
 * image is the SPIRE image of that name, and `spire-agent` also when the scenario lists
 * the container in `spire.agentBinaryContainers`. Any other program is not found, as a
 * container runtime reports it.
 *
 * TODO: swap in the embedded SPIRE server and agent from `src/embedded/` behind the same
 * `LabExecBackend` interface (remove once the embedded agent serves the Workload API).
 */
import { failed, type LabExecBackend, type LabExecRequest, type LabExecResult } from './exec-backend.js';
import type { LabCa } from './lab-ca.js';
import { logKey, type LabState } from './lab-state.js';
import type { LabObject } from './scenario-types.js';
import type { KubePod } from '../evidence/kube-types.js';
import { runSpireAgentCli } from './simulated-agent-cli.js';
import { runSpireServerCli } from './simulated-server-cli.js';
import { SPIRE_BIN_DIR } from './spire-layout.js';

const SIMULATED_PROGRAMS = ['spire-server', 'spire-agent'] as const;
type SimulatedProgram = (typeof SIMULATED_PROGRAMS)[number];

/** Creates the backend that simulates SPIRE's CLIs for `state`, minting SVIDs with `ca`. */
export function createSimulatedExecBackend(state: LabState, ca: LabCa): LabExecBackend {
  return async (request: LabExecRequest): Promise<LabExecResult> => {
    const pod = state.findPod(request.namespace, request.pod);
    if (!pod) throw new Error(`pod ${request.namespace}/${request.pod} disappeared`);
    const [program = '', ...args] = request.command;

    const binary = SIMULATED_PROGRAMS.find((name) => program === name || program === `${SPIRE_BIN_DIR}/${name}`);
    if (!binary || !hasBinary(state, pod, request.container, binary)) return programNotFound(program);
    if (binary === 'spire-server') return runSpireServerCli(args, { spire: state.scenario.spire, ca });
    return runSpireAgentCli(args, { state, ca }, { pod, containerName: request.container });
  };
}

function hasBinary(state: LabState, pod: KubePod & LabObject, containerName: string, binary: SimulatedProgram): boolean {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  const image = containers.find((container) => container.name === containerName)?.image ?? '';
  const repository = image.split('@')[0]?.split('/').pop()?.split(':')[0] ?? '';
  if (repository === binary) return true;
  const key = logKey(pod.metadata.namespace ?? '', pod.metadata.name, containerName);
  return binary === 'spire-agent' && state.scenario.spire.agentBinaryContainers.includes(key);
}

/**
 * Reports a missing program the way runc does through containerd: a path that does not
 * exist fails `stat`, a bare name is not found in $PATH.
 * NOTE: containerd returns this as an exec error, not an exit code. The lab reports exit
 * code 127, the shell's "command not found" code, so callers see a non-zero exit.
 */
function programNotFound(program: string): LabExecResult {
  const reason = program.includes('/') ? `stat ${program}: no such file or directory` : 'executable file not found in $PATH';
  return failed(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": ${reason}: unknown\n`, 127);
}
