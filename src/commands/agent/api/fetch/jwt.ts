import { Flags } from '@oclif/core';
import { UserError } from '../../../../errors.js';
import { formatJwtJson, formatJwtPretty } from '../../../../embedded/agent/cli/jwt-output.js';
import { outputFlag, socketPathFlag, SpireStyleCommand, timeoutFlag } from '../../../../embedded/agent/cli/spire-style-command.js';
import { fetchJwtBundles, fetchJwtSvid, type JwtSvid } from '../../../../embedded/workload/client.js';

/** `agent api fetch jwt`: fetches JWT-SVIDs and JWT bundles, like `spire-agent api fetch jwt`. */
export class AgentApiFetchJwt extends SpireStyleCommand {
  static override summary = 'Fetch a JWT-SVID and the JWT bundles from the Workload API.';
  static override description = 'The output contains a bearer token: treat it as a secret.';
  static override examples = ['<%= config.bin %> agent api fetch jwt -audience spiffe://example.org/billing'];

  static override flags = {
    socketPath: socketPathFlag,
    timeout: timeoutFlag,
    output: outputFlag,
    format: Flags.string({ description: 'Deprecated; use -output.', options: ['pretty', 'json'] }),
    audience: Flags.string({ description: 'Comma-separated audience values (required).', default: '' }),
    spiffeID: Flags.string({ description: 'SPIFFE ID subject (optional).', default: '' }),
  };

  async run(): Promise<JwtSvid[]> {
    const { flags } = await this.parse(AgentApiFetchJwt);
    const audience = flags.audience.split(',').filter((value) => value !== '');
    if (audience.length === 0) {
      throw new UserError('audience must be specified', { suggestions: ['Pass -audience with one or more comma-separated values.'] });
    }
    const timeoutMs = this.parseTimeout(flags.timeout);

    const bundles = await fetchJwtBundles(flags.socketPath, { timeoutMs });
    const svids = await fetchJwtSvid(flags.socketPath, { audience, timeoutMs, ...(flags.spiffeID ? { spiffeId: flags.spiffeID } : {}) });

    const output = flags.format ?? flags.output;
    process.stdout.write(output === 'json' ? formatJwtJson(svids, bundles) : formatJwtPretty(svids, bundles));
    return svids;
  }
}
