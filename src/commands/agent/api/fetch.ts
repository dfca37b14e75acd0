import { AgentApiFetchX509 } from './fetch/x509.js';

/** `agent api fetch`: the same as `agent api fetch x509`, as in `spire-agent`. */
export class AgentApiFetch extends AgentApiFetchX509 {
  static override summary = 'Fetch X509-SVIDs from the Workload API (same as `agent api fetch x509`).';
}
