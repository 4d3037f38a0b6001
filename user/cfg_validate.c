/* Configuration rules that span several keys: run once the whole file is
 * read, because a YAML mapping has no order (enforce_rfc_minimums may come
 * after the timeouts it governs). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "cfg_parse.h"
#include "cfg_values.h"

/* ---- rules across keys, once everything is read ------------------------ */

static int check_interfaces(struct ctx *c)
{
	for (int i = 0; i < c->cfg->n_inside; i++) {
		for (int j = 0; j < c->cfg->n_outside; j++) {
			const struct src_item *in = &c->inside[i], *out = &c->outside[j];

			if (strcmp(in->text, out->text) == 0)
				return cfg_fail(c, cfg_later(in->mark, out->mark) ? in->mark : out->mark,
					    "interface '%s' is both inside and outside; hint: subscribers and the internet must be on different interfaces",
					    in->text);
		}
	}
	return 0;
}

static int check_pool_vs_prefixes(struct ctx *c)
{
	for (int i = 0; i < c->cfg->n_pool; i++)
		for (int j = 0; j < c->cfg->n_prefixes; j++)
			if (cfg_overlap(c->cfg->pool[i], cfg_prefix_range(c->cfg->prefixes[j])))
				return cfg_fail(c, c->pool[i].src.mark, "pool entry %.80s overlaps subscriber prefix %.80s; hint: the pool holds public addresses; take them from outside the subscriber prefixes",
					    c->pool[i].src.text, c->prefixes[j].text);
	return 0;
}

/* The mark of key a if it is in the file, else of b if that is, else a's. */
static yaml_mark_t blame(struct ctx *c, enum key_id a, enum key_id b)
{
	return c->seen[a] || !c->seen[b] ? c->mark[a] : c->mark[b];
}

static int check_dynamic(struct ctx *c)
{
	struct cgnat_cfg *cfg = c->cfg;
	uint32_t ports = cfg_port_count(cfg);
	uint64_t cap = (uint64_t)cfg->max_blocks_per_subscriber * cfg->block_size;

	if (cfg->ports_per_subscriber)
		return cfg_fail(c, c->mark[K_PORTS_PER_SUB], "allocation.ports_per_subscriber is only used in deterministic mode (mode is %s); hint: remove it, or set 'mode: deterministic'",
			    cfg_mode_name(cfg->mode));
	if (cfg->block_size > ports)
		return cfg_fail(c, blame(c, K_BLOCK_SIZE, K_PORTS), "allocation.block_size %u is larger than the %u ports of pool.ports; hint: lower block_size or widen pool.ports",
			    cfg->block_size, ports);
	if (cfg->max_ports_per_subscriber > cap)
		return cfg_fail(c, c->mark[K_MAX_PORTS_PER_SUB], "limits.max_ports_per_subscriber %u is more than max_blocks_per_subscriber * block_size = %u * %u = %llu, an impossible combination; hint: raise max_blocks_per_subscriber or block_size, or lower max_ports_per_subscriber",
			    cfg->max_ports_per_subscriber, cfg->max_blocks_per_subscriber,
			    cfg->block_size, (unsigned long long)cap);
	if (cfg->max_ports_per_subscriber == 0)
		cfg->max_ports_per_subscriber = (uint32_t)cap;
	return 0;
}

/* RFC 7422: every subscriber owns ports_per_subscriber ports on one address;
 * floor(ports / pps) subscribers share an address. */
static int check_deterministic(struct ctx *c)
{
	struct cgnat_cfg *cfg = c->cfg;
	unsigned long long subs = cfg_subscriber_count(cfg), pool = cfg->pool_size;
	uint32_t ports = cfg_port_count(cfg), pps = cfg->ports_per_subscriber;
	unsigned long long per_ip = (subs + pool - 1) / pool;
	unsigned long long derived = per_ip > ports ? 0 : ports / per_ip;
	char hint[160];

	if (derived >= 8)
		snprintf(hint, sizeof(hint), "use at most %llu, or 0 to derive it", derived);
	else
		snprintf(hint, sizeof(hint), "add pool addresses, widen pool.ports, or narrow the prefixes");
	if (pps == 0) {
		if (derived < 8)
			return cfg_fail(c, c->mark[K_PREFIXES], "deterministic mode: %llu subscribers on %llu pool addresses leave %llu ports each, fewer than 8; hint: %s",
				    subs, pool, derived, hint);
		pps = cfg->ports_per_subscriber = (uint32_t)derived;
	} else if (pps < 8 || pps > ports) {
		return cfg_fail(c, c->mark[K_PORTS_PER_SUB], "allocation.ports_per_subscriber must be 8..%u (the ports in pool.ports), got %u; hint: %s",
			    ports, pps, hint);
	} else if ((unsigned long long)(ports / pps) * pool < subs) {
		return cfg_fail(c, c->mark[K_PORTS_PER_SUB], "with ports_per_subscriber %u the pool holds %llu subscribers (%u per address on %llu addresses), but the prefixes cover %llu; hint: %s",
			    pps, (ports / pps) * pool, ports / pps, pool, subs, hint);
	}
	if (cfg->max_ports_per_subscriber > pps)
		return cfg_fail(c, c->mark[K_MAX_PORTS_PER_SUB], "limits.max_ports_per_subscriber %u is more than the %u ports each subscriber owns in deterministic mode; hint: lower it, or set 0 to use them all",
			    cfg->max_ports_per_subscriber, pps);
	if (cfg->max_ports_per_subscriber == 0)
		cfg->max_ports_per_subscriber = pps;
	return 0;
}

static const struct {
	enum key_id id;
	const char *name;
	size_t off;
	uint32_t min;
	const char *rfc;
} rfc_minimums[] = {
	{ K_UDP, "timeouts.udp", offsetof(struct cgnat_cfg, timeout_udp), 120, "RFC 4787 REQ-5" },
	{ K_TCP_ESTABLISHED, "timeouts.tcp_established",
	  offsetof(struct cgnat_cfg, timeout_tcp_established), 7440, "RFC 5382 REQ-5" },
	{ K_TCP_TRANSITORY, "timeouts.tcp_transitory",
	  offsetof(struct cgnat_cfg, timeout_tcp_transitory), 240, "RFC 5382 REQ-5" },
	{ K_ICMP, "timeouts.icmp", offsetof(struct cgnat_cfg, timeout_icmp), 60, "RFC 5508 REQ-2" },
	{ K_PORT_HOLD, "timeouts.port_hold", offsetof(struct cgnat_cfg, port_hold), 120,
	  "RFC 6888 REQ-8" },
};

static int check_timeouts(struct ctx *c)
{
	char have[32], need[32];

	if (!c->cfg->enforce_rfc_minimums)
		return 0;
	for (size_t i = 0; i < sizeof(rfc_minimums) / sizeof(rfc_minimums[0]); i++) {
		uint32_t t = *(uint32_t *)((char *)c->cfg + rfc_minimums[i].off);

		if (t >= rfc_minimums[i].min)
			continue;
		cfgv_duration_str((uint64_t)t * 1000, have, sizeof(have));
		cfgv_duration_str((uint64_t)rfc_minimums[i].min * 1000, need, sizeof(need));
		return cfg_fail(c, c->mark[rfc_minimums[i].id], "%s %s is below the %s minimum of %s; hint: use at least %s, or set timeouts.enforce_rfc_minimums: false for lab use",
			    rfc_minimums[i].name, have, rfc_minimums[i].rfc, need, need);
	}
	return 0;
}

int cfg_validate(struct ctx *c)
{
	struct cgnat_cfg *cfg = c->cfg;

	if (check_interfaces(c) || check_pool_vs_prefixes(c))
		return -1;
	if ((cfg->mode == CFG_MODE_DETERMINISTIC ? check_deterministic(c) : check_dynamic(c)))
		return -1;
	if (cfg->max_sessions_per_subscriber > cfg->max_sessions)
		return cfg_fail(c, blame(c, K_MAX_SESSIONS_PER_SUB, K_MAX_SESSIONS), "limits.max_sessions_per_subscriber %u is more than limits.max_sessions %u; hint: lower max_sessions_per_subscriber or raise max_sessions",
			    cfg->max_sessions_per_subscriber, cfg->max_sessions);
	if (cfg->ring_buffer_size > (1ull << 30) ||
	    (cfg->ring_buffer_size & (cfg->ring_buffer_size - 1)))
		return cfg_fail(c, c->mark[K_RING_SIZE], "logging.ring_buffer_size must be a power of two between 64K and 1G; hint: use e.g. 16M or 64M");
	return check_timeouts(c);
}
