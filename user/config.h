/* Agent configuration: the YAML schema, parsed and validated into plain C.
 *
 * One YAML file describes one NAT instance. Every key is documented in
 * docs/CONFIG.md and shown in configs/cgnat.yaml. Parsing is strict:
 * unknown keys, wrong types, bad values and impossible combinations are
 * errors that name FILE:LINE:COLUMN and say what to change.
 */
#ifndef CGNAT_CONFIG_H
#define CGNAT_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define CFG_MAX_IFACES 8
#define CFG_MAX_PREFIXES 64
#define CFG_MAX_POOL_RANGES 64
/* Hard ceiling of blocks one subscriber may hold; matches the dataplane. */
#define CFG_MAX_BLOCKS_PER_SUBSCRIBER 32

enum cfg_mode {
	CFG_MODE_PBA = 0,           /* dynamic port block allocation, one log record per block */
	CFG_MODE_DETERMINISTIC = 1, /* RFC 7422: subscriber -> (ip, port range) by arithmetic */
	CFG_MODE_SESSION = 2,       /* dynamic allocation, one log record per session */
};

enum cfg_filtering {
	CFG_FILTER_ENDPOINT_INDEPENDENT = 0,
	CFG_FILTER_ADDRESS_DEPENDENT = 1,
};

enum cfg_xdp_mode {
	CFG_XDP_NATIVE = 0,  /* driver mode; fails if the NIC has no XDP support */
	CFG_XDP_GENERIC = 1, /* skb mode; works everywhere, slower */
};

/* IPv4 addresses in this struct are in host byte order. */
struct cfg_prefix {
	uint32_t addr;  /* network address, host bits zero */
	uint8_t len;    /* 0..32 */
};

struct cfg_range {
	uint32_t first; /* inclusive */
	uint32_t last;  /* inclusive */
};

struct cgnat_cfg {
	char path[PATH_MAX]; /* file the config came from */

	/* interfaces: */
	char inside[CFG_MAX_IFACES][IF_NAMESIZE];
	int n_inside;
	char outside[CFG_MAX_IFACES][IF_NAMESIZE];
	int n_outside;
	enum cfg_xdp_mode xdp_mode;

	/* subscribers: */
	struct cfg_prefix prefixes[CFG_MAX_PREFIXES];
	int n_prefixes;
	char subscriber_db[PATH_MAX]; /* empty: no database, ids are the inside address */

	/* pool: */
	struct cfg_range pool[CFG_MAX_POOL_RANGES]; /* sorted by first address */
	int n_pool;
	uint32_t pool_size;    /* total addresses across all ranges */
	uint16_t port_min;     /* dynamic/deterministic port range, inclusive, >= 1024 */
	uint16_t port_max;

	/* mode and allocation: */
	enum cfg_mode mode;
	uint32_t block_size;                /* pba/session: ports per block */
	uint32_t max_blocks_per_subscriber; /* pba/session */
	uint32_t block_idle_timeout;        /* seconds a block stays with no port in use before release */
	uint32_t ports_per_subscriber;      /* deterministic; 0 = derived from prefixes and pool */
	bool port_parity;                   /* RFC 4787 REQ-4 */
	enum cfg_filtering filtering;       /* RFC 4787 REQ-8 */
	bool hairpinning;                   /* RFC 4787 REQ-9 */

	/* limits: */
	uint32_t max_sessions;                /* global: capacity of the session table */
	uint32_t max_sessions_per_subscriber; /* RFC 6888 REQ-5 */
	uint32_t max_ports_per_subscriber;    /* RFC 6888 REQ-4; 0 = blocks * block_size */
	uint32_t icmp_error_rate;             /* ICMP errors the NAT sends, per second */

	/* timeouts, seconds: */
	uint32_t timeout_udp;             /* RFC 4787 REQ-5: >= 120, default 300 */
	uint32_t timeout_tcp_established; /* RFC 5382 REQ-5: >= 7440 */
	uint32_t timeout_tcp_transitory;  /* RFC 5382 REQ-5: >= 240 */
	uint32_t timeout_icmp;            /* RFC 5508 REQ-2: >= 60 */
	uint32_t port_hold;               /* RFC 6888 REQ-8: >= 120 */
	bool enforce_rfc_minimums;        /* false allows shorter timeouts (labs, tests) */

	/* logging: */
	char log_directory[PATH_MAX];
	uint64_t rotate_size;      /* bytes */
	uint32_t rotate_interval;  /* seconds */
	uint32_t retention_days;
	bool log_destinations;     /* RFC 6888 REQ-12: off by default */
	uint32_t flush_interval_ms;
	uint64_t ring_buffer_size; /* dataplane -> agent event ring, bytes, power of two */

	/* dataplane: */
	char pin_path[PATH_MAX];  /* bpffs directory for maps and links */
	bool keep_dataplane_on_exit; /* SIGTERM leaves programs attached and pinned */
	uint32_t gc_interval_ms;  /* period of the expiry/statistics pass */
};

#define CFG_ERR_MAX 1024

struct cfg_error {
	/* "FILE:LINE:COLUMN: what was wrong; hint: what to do" (LINE/COLUMN 1-based). */
	char msg[CFG_ERR_MAX];
};

/* Fill *cfg with every default (see docs/CONFIG.md). */
void cfg_set_defaults(struct cgnat_cfg *cfg);

/* Parse and validate a YAML file. Returns 0 on success; -1 with *err set. */
int cfg_load_file(const char *path, struct cgnat_cfg *cfg, struct cfg_error *err);

/* Same, from a string; name is used in error messages in place of a path. */
int cfg_load_string(const char *name, const char *yaml, struct cgnat_cfg *cfg,
		    struct cfg_error *err);

/* Helpers also used by cgnatctl and tests. */
int cfg_parse_prefix(const char *s, struct cfg_prefix *out);  /* "100.64.0.0/10" */
int cfg_parse_range(const char *s, struct cfg_range *out);    /* CIDR, "a.b.c.d-e.f.g.h" or one address */
int cfg_parse_duration(const char *s, uint32_t *seconds);     /* "300", "5m", "2h4m", "90d" */
int cfg_parse_size(const char *s, uint64_t *bytes);           /* "4096", "100M", "1G" */
const char *cfg_mode_name(enum cfg_mode m);

/* Number of ports in the configured range. */
static inline uint32_t cfg_port_count(const struct cgnat_cfg *cfg)
{
	return (uint32_t)cfg->port_max - cfg->port_min + 1;
}

/* Total addresses covered by the subscriber prefixes. */
uint64_t cfg_subscriber_count(const struct cgnat_cfg *cfg);

#endif
