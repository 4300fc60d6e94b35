"""The connection-string options a client accepts, and the refusal of any other.

SDK 2.x handed every option to libcouchbase, whose ``lcb_create`` failed on
a name it did not know (LCB_NOT_SUPPORTED): a misspelt option stopped the
program instead of being silently ignored. We do the same, with the
message naming the option. The names below are libcouchbase's (2.x and
3.x) plus the few this client adds; an option libcouchbase knows but this
client does not act upon is accepted (the list says which, for the docs).
"""

from __future__ import annotations

from typing import Iterable

ACTED_UPON = frozenset({
    "operation_timeout", "kv_timeout", "config_total_timeout", "bootstrap_timeout",
    "connect_timeout", "config_node_timeout",
    "ssl", "certpath", "cert_path", "truststorepath", "tls_verify",
    "network", "fetch_mutation_tokens", "enable_mutation_tokens",
    "compression", "compression_min_size", "compression_min_ratio",
    # DNS SRV (couchbase/_core/dnssrv.py): libcouchbase's switch, SDK 4.x's names
    "dnssrv", "enable_dns_srv", "dns_srv_timeout", "dns_nameserver", "dns_port",
    # threshold and orphan reports, log redaction (couchbase/_tracing.py)
    "log_redaction", "enable_tracing", "tracing_threshold_kv", "tracing_threshold_n1ql",
    "tracing_threshold_query", "tracing_threshold_view", "tracing_threshold_fts",
    "tracing_threshold_search", "tracing_threshold_analytics",
    "tracing_threshold_queue_size", "tracing_threshold_queue_flush_interval",
    "tracing_orphaned_queue_size", "tracing_orphaned_queue_flush_interval",
})
"""Options that change what this client does."""

ACCEPTED = frozenset({
    # libcouchbase tunables with no counterpart here (nothing to tune, or a
    # behaviour this client always has); accepted so 2.x connection strings work
    "error_thresh_count", "error_thresh_delay", "htconfig_idle_timeout", "config_cache",
    "config_cache_ro", "randomize_nodes", "randomize_bootstrap_hosts", "bootstrap_on",
    "ipv6", "tcp_nodelay", "tcp_keepalive", "readj_ts_wait", "console_log_level",
    "console_log_file", "detailed_errcodes", "retry_backoff", "retry_interval",
    "retry_nmv_delay", "retry_nmv_imm", "http_poolsize", "http_urlmode", "vbguess_persist",
    "unsafe_optimize", "fetch_synctokens", "sasl_mech_force", "client_string",
    "select_bucket", "enable_collections", "allow_static_config", "send_hello",
    "enable_errmap", "use_errmap", "wait_for_config", "enable_unordered_execution",
    "max_redirects", "read_chunk_size", "config_poll_interval", "enable_config_poll",
    "persistence_timeout_floor", "operation_metrics", "enable_operation_metrics",
    "user_agent_extra", "timeout", "sasl_mech",
    # known, not acted upon yet (later issues: other timeouts, tracing)
    "n1ql_timeout", "query_timeout", "views_timeout", "view_timeout", "search_timeout",
    "analytics_timeout", "http_timeout", "management_timeout", "durability_timeout",
    "durability_interval", "keypath", "dur_mutation_tokens",
})
"""Options libcouchbase knows that this client accepts and ignores."""

KNOWN = ACTED_UPON | ACCEPTED


def unknown_options(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that no client knows, sorted."""
    return sorted(name for name in names if name.lower() not in KNOWN)
