/**
 * Keys SPIRE's `run` commands decode from agent and server configuration files, read
 * from the `hcl:"…"` struct tags in `cmd/spire-agent/cli/run/run.go`,
 * `cmd/spire-server/cli/run/run.go` and `pkg/common/health/config.go` (SPIRE
 * 1.16.0-dev ef8527ec9). SPIRE reports any other key as unknown.
 */

export const AGENT_FILE_KEYS = new Set(['agent', 'plugins', 'telemetry', 'health_checks']);

export const AGENT_KEYS = new Set([
  'data_dir',
  'admin_socket_path',
  'insecure_bootstrap',
  'rebootstrap_mode',
  'rebootstrap_delay',
  'join_token',
  'join_token_file',
  'log_file',
  'log_format',
  'log_level',
  'log_selectors',
  'log_source_location',
  'sds',
  'server_address',
  'server_port',
  'socket_path',
  'disable_workload_api',
  'disable_sds_api',
  'workload_x509_svid_key_type',
  'trust_bundle_format',
  'trust_bundle_path',
  'trust_bundle_spiffe_workload_api',
  'trust_bundle_unix_socket',
  'trust_bundle_url',
  'trust_domain',
  'allow_unauthenticated_verifiers',
  'allowed_foreign_jwt_claims',
  'availability_target',
  'x509_svid_cache_max_size',
  'jwt_svid_cache_max_size',
  'authorized_delegates',
  'profiling_enabled',
  'profiling_port',
  'profiling_freq',
  'profiling_names',
  'experimental',
]);

export const AGENT_EXPERIMENTAL_KEYS = new Set([
  'sync_interval',
  'jwt_svid_cache_hit_timeout',
  'named_pipe_name',
  'admin_named_pipe_name',
  'use_sync_authorized_entries',
  'require_pq_kem',
  'ratelimit',
  'broker',
  'feature_flags',
]);

export const AGENT_SDS_KEYS = new Set(['default_svid_name', 'default_bundle_name', 'default_all_bundles_name', 'disable_spiffe_cert_validation']);

export const SERVER_FILE_KEYS = new Set(['server', 'plugins', 'telemetry', 'health_checks']);

export const SERVER_KEYS = new Set([
  'admin_ids',
  'agent_ttl',
  'audit_log_enabled',
  'bind_address',
  'bind_port',
  'ca_key_type',
  'ca_subject',
  'ca_ttl',
  'data_dir',
  'default_x509_svid_ttl',
  'default_jwt_svid_ttl',
  'experimental',
  'federation',
  'disable_jwt_svids',
  'jwt_issuer',
  'jwt_key_type',
  'log_file',
  'log_level',
  'log_format',
  'log_source_location',
  'prune_attested_nodes_expired_for',
  'prune_attested_nodes_batch_size',
  'prune_tofu_nodes',
  'proxy_protocol_trusted_cidrs',
  'ratelimit',
  'socket_path',
  'trust_domain',
  'max_attested_node_info_staleness',
  'profiling_enabled',
  'profiling_port',
  'profiling_freq',
  'profiling_names',
]);

export const SERVER_EXPERIMENTAL_KEYS = new Set([
  'agent_spiffe_id_as_selector',
  'auth_opa_policy_engine',
  'cache_reload_interval',
  'full_cache_reload_interval',
  'events_based_cache',
  'prune_events_older_than',
  'event_timeout',
  'sql_transaction_timeout',
  'require_pq_kem',
  'wit_key_type',
  'wit_issuer',
  'feature_flags',
  'named_pipe_name',
]);

export const SERVER_FEDERATION_KEYS = new Set(['bundle_endpoint', 'federates_with']);

export const HEALTH_CHECK_KEYS = new Set(['listener_enabled', 'bind_address', 'bind_port', 'ready_path', 'live_path']);
