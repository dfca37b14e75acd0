/**
 * The `spire.api.server.agent.v1.Agent` service: join tokens, join-token
 * attestation, agent SVID renewal, and listing, evicting and banning agents.
 */
import { randomUUID, X509Certificate } from 'node:crypto';

import { status as Status } from '@grpc/grpc-js';

import { joinTokenAgentId } from '../../../spire/agent-ids.js';
import { filterAgents } from '../../../spire/entry-filter.js';
import { isSpireDataError } from '../../../spire/errors.js';
import { formatSelector } from '../../../spire/selectors.js';
import type { SpiffeIdJson } from '../../../spire/types.js';
import { isCsrError, parseCsr } from '../csr.js';
import type { AttestedNode } from '../records.js';
import { isBanned, newRegistrationEntry } from '../records.js';
import { issueX509Svid } from '../svid-issuer.js';
import { ApiError } from './api-error.js';
import type { Authorization } from './authorization.js';
import type { ServerContext } from './context.js';
import { applyAgentMask, nodeToJson, nodeToMessage, toSpiffeIdMessage } from './convert.js';
import { paginate } from './entry-service.js';
import { idFromMessage } from './entry-validation.js';

type Mask = Record<string, boolean> | null | undefined;

interface AgentFilterMessage {
  by_attestation_type: string;
  by_selector_match?: { selectors: { type: string; value: string }[]; match: string } | null;
  by_banned?: { value: boolean } | null;
  by_can_reattest?: { value: boolean } | null;
  by_expires_before: string;
}

const MATCH_NAMES = { MATCH_EXACT: 'exact', MATCH_SUBSET: 'subset', MATCH_SUPERSET: 'superset', MATCH_ANY: 'any' } as const;

/** Parses an agent ID message; raises InvalidArgument unless it is an agent path in the trust domain. */
export function agentIdFromMessage(context: ServerContext, id: SpiffeIdJson | null | undefined): string {
  if (id === null || id === undefined) throw new ApiError(Status.INVALID_ARGUMENT, 'invalid agent ID: request must specify SPIFFE ID');
  const parsed = idFromMessage(id);
  if (parsed.id === undefined) throw new ApiError(Status.INVALID_ARGUMENT, `invalid agent ID: ${parsed.error}`);
  const trustDomain = context.config.trustDomain;
  if (id.trust_domain !== trustDomain) {
    throw new ApiError(Status.INVALID_ARGUMENT, `invalid agent ID: "${parsed.id}" is not a member of trust domain "${trustDomain}"`);
  }
  if (!id.path.startsWith('/spire/agent/')) {
    throw new ApiError(
      Status.INVALID_ARGUMENT,
      `invalid agent ID: "${parsed.id}" is not an agent in trust domain "${trustDomain}"; path is not in the agent namespace`,
    );
  }
  return parsed.id;
}

function listFilteredNodes(context: ServerContext, filter: AgentFilterMessage | null | undefined): AttestedNode[] {
  let nodes = context.datastore.listNodes();
  if (filter === null || filter === undefined) return nodes;

  if (filter.by_attestation_type !== '') nodes = nodes.filter((node) => node.attestationType === filter.by_attestation_type);
  if (filter.by_banned) nodes = nodes.filter((node) => isBanned(node) === filter.by_banned!.value);
  if (filter.by_can_reattest) nodes = nodes.filter((node) => node.canReattest === filter.by_can_reattest!.value);
  if (filter.by_expires_before !== '') {
    // NOTE: SPIRE parses the Go layout "2006-01-02 15:04:05 -0700 -07"; Date.parse accepts that text without the zone abbreviation.
    const before = Date.parse(filter.by_expires_before.replace(/ [+-]\d\d$/, ''));
    if (Number.isNaN(before)) throw new ApiError(Status.INVALID_ARGUMENT, `failed to parse expires before time "${filter.by_expires_before}"`);
    nodes = nodes.filter((node) => node.expiresAt * 1000 < before);
  }
  if (filter.by_selector_match) {
    const match = filter.by_selector_match;
    try {
      const kept = new Set(
        filterAgents(nodes.map(nodeToJson), {
          selectors: { match: MATCH_NAMES[match.match as keyof typeof MATCH_NAMES] ?? 'exact', selectors: match.selectors.map(formatSelector) },
        }).map((agent) => `${agent.id.trust_domain}${agent.id.path}`),
      );
      nodes = nodes.filter((node) => kept.has(node.spiffeId.slice('spiffe://'.length)));
    } catch (error) {
      if (isSpireDataError(error)) throw new ApiError(Status.INVALID_ARGUMENT, `failed to build filter: ${error.message}`);
      throw error;
    }
  }
  return nodes;
}

function requireNode(context: ServerContext, id: string): AttestedNode {
  const node = context.datastore.findNode(id);
  if (node === undefined) throw new ApiError(Status.NOT_FOUND, 'agent not found');
  return node;
}

/** Signs an agent X509-SVID for the CSR's key and returns it with its serial number. */
export function signAgentSvid(context: ServerContext, agentId: string, csrDer: Buffer) {
  let csr;
  try {
    csr = parseCsr(csrDer);
  } catch (error) {
    if (isCsrError(error)) {
      throw new ApiError(Status.INVALID_ARGUMENT, `failed to sign X509-SVID: ${error.kind === 'malformed' ? 'malformed CSR' : 'invalid CSR signature'}: ${error.message}`);
    }
    throw error;
  }
  const svid = issueX509Svid(context.ca.current, {
    now: context.now(),
    spiffeId: agentId,
    subjectPublicKeyInfo: csr.subjectPublicKeyInfo,
    ttlSeconds: context.config.agentTtlSeconds,
  });
  return svid;
}

/** Unary handlers of the Agent service. */
export function createAgentHandlers(context: ServerContext) {
  return {
    CountAgents(request: { filter?: AgentFilterMessage | null }) {
      return { count: listFilteredNodes(context, request.filter).length };
    },

    ListAgents(request: { filter?: AgentFilterMessage | null; output_mask?: Mask; page_size: number; page_token: string }) {
      const { page, nextPageToken } = paginate(listFilteredNodes(context, request.filter), request.page_size, request.page_token);
      return { agents: page.map((node) => applyAgentMask(nodeToMessage(node), request.output_mask)), next_page_token: nextPageToken };
    },

    GetAgent(request: { id?: SpiffeIdJson | null; output_mask?: Mask }) {
      const id = agentIdFromMessage(context, request.id);
      return applyAgentMask(nodeToMessage(requireNode(context, id)), request.output_mask);
    },

    DeleteAgent(request: { id?: SpiffeIdJson | null }) {
      const id = agentIdFromMessage(context, request.id);
      requireNode(context, id);
      context.datastore.deleteNode(id);
      // SPIRE 1.15.2 and later also delete the entry `token generate -spiffeID` created for a join-token agent.
      for (const entry of context.datastore.listEntries()) {
        if (entry.parentId === id && entry.selectors.length === 1 && entry.selectors[0]!.type === 'spiffe_id' && entry.selectors[0]!.value === id) {
          context.datastore.deleteEntry(entry.id);
        }
      }
      context.logger.info('Agent deleted', { spiffe_id: id });
      return {};
    },

    BanAgent(request: { id?: SpiffeIdJson | null }) {
      const id = agentIdFromMessage(context, request.id);
      const node = requireNode(context, id);
      context.datastore.saveNode({ ...node, serialNumber: '', newSerialNumber: '' });
      context.logger.info('Agent banned', { spiffe_id: id });
      return {};
    },

    CreateJoinToken(request: { ttl: number; token: string; agent_id?: SpiffeIdJson | null }) {
      if (request.ttl < 1) throw new ApiError(Status.INVALID_ARGUMENT, 'ttl is required, you must provide one');
      const agentId = request.agent_id ? readTokenAgentId(context, request.agent_id) : undefined;

      const token = request.token === '' ? randomUUID() : request.token;
      const expiresAt = Math.floor(context.now().getTime() / 1000) + request.ttl;
      context.datastore.createJoinToken(token, expiresAt);
      if (agentId !== undefined) {
        const parentId = joinTokenAgentId(context.config.trustDomain, token);
        context.datastore.createEntry(
          newRegistrationEntry({
            id: randomUUID(),
            spiffeId: agentId,
            parentId,
            selectors: [{ type: 'spiffe_id', value: parentId }],
            createdAt: Math.floor(context.now().getTime() / 1000),
          }),
        );
      }
      return { value: token, expires_at: String(expiresAt) };
    },
  };
}

function readTokenAgentId(context: ServerContext, id: SpiffeIdJson): string {
  const parsed = idFromMessage(id);
  if (parsed.id === undefined) throw new ApiError(Status.INVALID_ARGUMENT, `invalid agent ID: ${parsed.error}`);
  if (id.trust_domain !== context.config.trustDomain) {
    throw new ApiError(Status.INVALID_ARGUMENT, `invalid agent ID: "${parsed.id}" is not a member of trust domain "${context.config.trustDomain}"`);
  }
  if (id.path === '') {
    throw new ApiError(Status.INVALID_ARGUMENT, `invalid agent ID: "${parsed.id}" is not a member of trust domain "${context.config.trustDomain}"; path is empty`);
  }
  return parsed.id;
}

/** Handlers of the agent-only methods RenewAgent and PostStatus. */
export function createAgentSelfHandlers(context: ServerContext) {
  return {
    RenewAgent(request: { params?: { csr: Buffer } | null }, authorization: Authorization) {
      const node = authorization.node!;
      if (node.canReattest) throw new ApiError(Status.PERMISSION_DENIED, 'agent must reattest instead of renew');
      if (!request.params) throw new ApiError(Status.INVALID_ARGUMENT, 'params cannot be nil');
      if (request.params.csr.length === 0) throw new ApiError(Status.INVALID_ARGUMENT, 'missing CSR');

      const svid = signAgentSvid(context, node.spiffeId, request.params.csr);
      const serial = serialOf(svid.certChain[0]!);
      context.datastore.saveNode({ ...node, newSerialNumber: serial, newExpiresAt: svid.expiresAt });
      context.logger.debug('Renewed agent SVID', { spiffe_id: node.spiffeId });
      return { svid: { cert_chain: svid.certChain, id: toSpiffeIdMessage(node.spiffeId), expires_at: String(svid.expiresAt), hint: '' } };
    },

    PostStatus(request: { agent_version: string }, authorization: Authorization) {
      if (request.agent_version.length > 255) throw new ApiError(Status.INVALID_ARGUMENT, 'agent version is too long');
      context.datastore.saveNode({ ...authorization.node!, agentVersion: request.agent_version });
      return {};
    },
  };
}

/** Returns the decimal serial number of a DER certificate. */
export function serialOf(der: Buffer): string {
  return BigInt(`0x${new X509Certificate(der).serialNumber}`).toString(10);
}
