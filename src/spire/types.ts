/**
 * SPIRE's registration entry and agent records in the JSON shape that
 * `spire-server entry show -output json` and `spire-server agent list -output json`
 * print (spire-api-sdk `spire.api.types`, protojson with proto field names).
 * int64 fields are JSON strings, int32 TTLs are numbers. Hand-written evidence may
 * omit any field but `spiffe_id`, `parent_id` and `selectors`, and may give int64
 * fields as numbers.
 */

/** A SPIFFE ID split as the SPIRE API carries it: trust domain name and path. */
export interface SpiffeIdJson {
  readonly trust_domain: string;
  /** Starts with `/`; empty for a trust domain ID. */
  readonly path: string;
}

/** A selector as the SPIRE API carries it; `k8s:ns:default` is `{type: "k8s", value: "ns:default"}`. */
export interface SelectorJson {
  readonly type: string;
  readonly value: string;
}

export interface EntryJson {
  readonly id?: string;
  readonly spiffe_id: SpiffeIdJson;
  readonly parent_id: SpiffeIdJson;
  readonly selectors: readonly SelectorJson[];
  readonly x509_svid_ttl?: number;
  readonly jwt_svid_ttl?: number;
  readonly federates_with?: readonly string[];
  readonly admin?: boolean;
  readonly downstream?: boolean;
  /** Unix seconds; "0" or absent means no expiry. */
  readonly expires_at?: string | number;
  readonly dns_names?: readonly string[];
  readonly revision_number?: string | number;
  readonly store_svid?: boolean;
  readonly hint?: string;
  /** Unix seconds. */
  readonly created_at?: string | number;
  readonly additional_attributes?: {
    readonly disable_x509_svid_prefetch?: boolean;
    readonly jwt_svid_include_jti?: boolean;
  };
}

export interface AgentJson {
  readonly id: SpiffeIdJson;
  readonly attestation_type?: string;
  /** Decimal serial number of the agent's current X509-SVID. */
  readonly x509svid_serial_number?: string;
  /** Unix seconds. */
  readonly x509svid_expires_at?: string | number;
  readonly selectors?: readonly SelectorJson[];
  readonly banned?: boolean;
  readonly can_reattest?: boolean;
  readonly agent_version?: string;
}
