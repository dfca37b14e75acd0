import { Flags } from '@oclif/core';
import * as grpc from '@grpc/grpc-js';
import { UserError } from '../../../../errors.js';
import { formatValidation } from '../../../../embedded/agent/cli/jwt-output.js';
import { socketPathFlag, SpireStyleCommand, timeoutFlag } from '../../../../embedded/agent/cli/spire-style-command.js';
import { validateJwtSvid, type ValidatedJwtSvid } from '../../../../embedded/workload/client.js';
import { isWorkloadApiError } from '../../../../embedded/workload/errors.js';

/** `agent api validate jwt`: validates a JWT-SVID through the agent, like `spire-agent api validate jwt`. */
export class AgentApiValidateJwt extends SpireStyleCommand {
  static override summary = 'Validate a JWT-SVID through the Workload API.';
  static override examples = ['<%= config.bin %> agent api validate jwt -audience billing -svid "$TOKEN"'];

  static override flags = {
    socketPath: socketPathFlag,
    timeout: timeoutFlag,
    audience: Flags.string({ description: 'Expected audience value (required).', default: '' }),
    svid: Flags.string({ description: 'The JWT-SVID to validate (required).', default: '' }),
  };

  async run(): Promise<ValidatedJwtSvid> {
    const { flags } = await this.parse(AgentApiValidateJwt);
    if (!flags.audience) throw new UserError('audience must be specified', { suggestions: ['Pass -audience with the audience the token was minted for.'] });
    if (!flags.svid) throw new UserError('svid must be specified', { suggestions: ['Pass -svid with the token from `agent api fetch jwt`.'] });
    const timeoutMs = this.parseTimeout(flags.timeout);

    let result: ValidatedJwtSvid;
    try {
      result = await validateJwtSvid(flags.socketPath, { audience: flags.audience, token: flags.svid, timeoutMs });
    } catch (error) {
      if (!isWorkloadApiError(error)) throw error;
      // SPIRE's CLI prints a rejected token and a failed call differently.
      const message = error.code === grpc.status.INVALID_ARGUMENT ? `SVID is not valid: ${error.description}` : `unable to validate JWT SVID: ${error.message}`;
      process.stderr.write(`${message}\n`);
      return this.exit(1);
    }

    process.stdout.write(formatValidation(result));
    return result;
  }
}
