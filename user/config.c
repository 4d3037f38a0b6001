/* Agent configuration: YAML -> struct cgnat_cfg, strictly validated.
 *
 * libyaml's document API loads the file into a node tree, which we walk
 * with one table of keys per section (see "The schema" below). A value is
 * checked when it is read; rules that span several keys (prefixes against
 * pool, the mode-dependent port arithmetic, RFC minimum timeouts) run once
 * the whole file is read, because a YAML mapping has no order. Every
 * failure becomes "FILE:LINE:COLUMN: what; hint: what to do".
 *
 * Value parsers live in cfg_values.c, readers of YAML values in
 * cfg_leaves.c, cross-key rules in cfg_validate.c.
 */
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

/* ---- the schema -------------------------------------------------------- */

#define LEAF(n, i, fn, fld, ex) \
	.name = n, .id = i, .parse = fn, .off = offsetof(struct cgnat_cfg, fld), .example = ex
#define SECTION(n, i, keys, ex) .name = n, .id = i, .sub = keys, .example = ex

static const struct key interface_keys[] = {
	{ LEAF("inside", K_INSIDE, cfgp_interfaces, inside, "eth1"), .required = true,
	  .hint = "one instance serves at most 8 inside interfaces" },
	{ LEAF("outside", K_OUTSIDE, cfgp_interfaces, outside, "eth0"), .required = true,
	  .hint = "one instance serves at most 8 outside interfaces" },
	{ LEAF("xdp_mode", K_XDP_MODE, cfgp_xdp_mode, xdp_mode, "native") },
	{ 0 },
};

static const struct key subscriber_keys[] = {
	{ LEAF("prefixes", K_PREFIXES, cfgp_prefixes, prefixes, "100.64.0.0/10"), .required = true,
	  .hint = "merge adjacent prefixes into shorter ones" },
	{ LEAF("database", K_DATABASE, cfgp_path, subscriber_db, "/etc/cgnat/subscribers.csv") },
	{ 0 },
};

static const struct key pool_keys[] = {
	{ LEAF("addresses", K_ADDRESSES, cfgp_pool, pool, "198.51.100.0/28"), .required = true,
	  .hint = "merge adjacent entries into ranges" },
	{ LEAF("ports", K_PORTS, cfgp_ports, port_min, "1024-65535") },
	{ 0 },
};

static const struct key allocation_keys[] = {
	{ LEAF("block_size", K_BLOCK_SIZE, cfgp_u32, block_size, "256"), .min = 8, .max = 65535,
	  .hint = "a block holds 8 to 65535 ports" },
	{ LEAF("max_blocks_per_subscriber", K_MAX_BLOCKS, cfgp_u32, max_blocks_per_subscriber, "8"),
	  .min = 1, .max = CFG_MAX_BLOCKS_PER_SUBSCRIBER,
	  .hint = "the dataplane tracks at most 32 blocks per subscriber; raise block_size instead" },
	{ LEAF("block_idle_timeout", K_BLOCK_IDLE, cfgp_duration, block_idle_timeout, "5m"),
	  .min = 1000, .max = DUR_MAX },
	{ LEAF("ports_per_subscriber", K_PORTS_PER_SUB, cfgp_u32, ports_per_subscriber, "0"),
	  .min = 0, .max = 65535, .hint = "use 0 to derive it from the prefixes and the pool" },
	{ LEAF("port_parity", K_PORT_PARITY, cfgp_bool, port_parity, "true") },
	{ LEAF("filtering", K_FILTERING, cfgp_filtering, filtering, "endpoint-independent") },
	{ LEAF("hairpinning", K_HAIRPINNING, cfgp_bool, hairpinning, "true") },
	{ 0 },
};

static const struct key limit_keys[] = {
	{ LEAF("max_sessions", K_MAX_SESSIONS, cfgp_u32, max_sessions, "1048576"), .min = 1024,
	  .max = 67108864, .hint = "the session table holds 1024 to 67108864 entries" },
	{ LEAF("max_sessions_per_subscriber", K_MAX_SESSIONS_PER_SUB, cfgp_u32,
	       max_sessions_per_subscriber, "4096"), .min = 1, .max = 67108864 },
	{ LEAF("max_ports_per_subscriber", K_MAX_PORTS_PER_SUB, cfgp_u32, max_ports_per_subscriber,
	       "0"), .min = 0, .max = UINT32_MAX },
	{ LEAF("icmp_error_rate", K_ICMP_RATE, cfgp_u32, icmp_error_rate, "100"), .min = 0,
	  .max = 100000, .hint = "0 disables the ICMP errors the NAT sends itself" },
	{ 0 },
};

#define TIMEOUT(n, i, fld, ex) \
	{ LEAF(n, i, cfgp_duration, fld, ex), .min = 1000, .max = DUR_MAX }

static const struct key timeout_keys[] = {
	TIMEOUT("udp", K_UDP, timeout_udp, "5m"),
	TIMEOUT("tcp_established", K_TCP_ESTABLISHED, timeout_tcp_established, "2h4m"),
	TIMEOUT("tcp_transitory", K_TCP_TRANSITORY, timeout_tcp_transitory, "4m"),
	TIMEOUT("icmp", K_ICMP, timeout_icmp, "60s"),
	TIMEOUT("port_hold", K_PORT_HOLD, port_hold, "2m"),
	{ LEAF("enforce_rfc_minimums", K_ENFORCE, cfgp_bool, enforce_rfc_minimums, "true") },
	{ 0 },
};

static const struct key logging_keys[] = {
	{ LEAF("directory", K_LOG_DIRECTORY, cfgp_abs_path, log_directory, "/var/log/cgnat") },
	{ LEAF("rotate_size", K_ROTATE_SIZE, cfgp_size, rotate_size, "256M"), .min = 4096,
	  .hint = "files smaller than 4K would rotate constantly" },
	{ LEAF("rotate_interval", K_ROTATE_INTERVAL, cfgp_duration, rotate_interval, "1h"),
	  .min = 60000, .max = DUR_MAX, .hint = "rotate at most once a minute" },
	{ LEAF("retention_days", K_RETENTION, cfgp_u32, retention_days, "180"), .min = 1,
	  .max = 36500, .hint = "keep logs 1 day to 100 years, as your legal retention requires" },
	{ LEAF("log_destinations", K_LOG_DESTINATIONS, cfgp_bool, log_destinations, "false") },
	{ LEAF("flush_interval", K_FLUSH_INTERVAL, cfgp_duration_ms, flush_interval_ms, "1s"),
	  .min = 10, .max = 60000, .hint = "flush between every 10ms and every 60s" },
	{ LEAF("ring_buffer_size", K_RING_SIZE, cfgp_size, ring_buffer_size, "16M"), .min = 65536,
	  .hint = "the event ring holds 64K to 1G" },
	{ 0 },
};

static const struct key dataplane_keys[] = {
	{ LEAF("pin_path", K_PIN_PATH, cfgp_abs_path, pin_path, "/sys/fs/bpf/cgnat") },
	{ LEAF("keep_on_exit", K_KEEP_ON_EXIT, cfgp_bool, keep_dataplane_on_exit, "false") },
	{ LEAF("gc_interval", K_GC_INTERVAL, cfgp_duration_ms, gc_interval_ms, "1s"), .min = 10,
	  .max = 60000, .hint = "run the expiry pass between every 10ms and every 60s" },
	{ 0 },
};

static const struct key top_keys[] = {
	{ SECTION("interfaces", K_INTERFACES, interface_keys, "{inside: eth1, outside: eth0}"),
	  .required = true },
	{ SECTION("subscribers", K_SUBSCRIBERS, subscriber_keys, "{prefixes: [100.64.0.0/10]}"),
	  .required = true },
	{ SECTION("pool", K_POOL, pool_keys, "{addresses: [198.51.100.0/28]}"), .required = true },
	{ LEAF("mode", K_MODE, cfgp_mode, mode, "pba") },
	{ SECTION("allocation", K_ALLOCATION, allocation_keys, "{block_size: 256}") },
	{ SECTION("limits", K_LIMITS, limit_keys, "{max_sessions: 1048576}") },
	{ SECTION("timeouts", K_TIMEOUTS, timeout_keys, "{udp: 5m}") },
	{ SECTION("logging", K_LOGGING, logging_keys, "{directory: /var/log/cgnat}") },
	{ SECTION("dataplane", K_DATAPLANE, dataplane_keys, "{pin_path: /sys/fs/bpf/cgnat}") },
	{ 0 },
};

/* ---- walking mappings -------------------------------------------------- */

static const struct key *find_key(const struct key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

static int unknown_key(struct ctx *c, yaml_node_t *kn, const struct key *keys,
		       const char *where)
{
	const char *names[16];
	char hint[512];
	size_t n = 0;

	for (; keys->name && n < 16; keys++)
		names[n++] = keys->name;
	cfg_suggest(hint, sizeof(hint), cfg_text(kn), names, n, "keys");
	return cfg_fail(c, kn->start_mark, "unknown key '%.80s' %s; hint: %s", cfg_text(kn), where, hint);
}

/* Keys not written in the file: errors point at their enclosing mapping. */
static void mark_absent(struct ctx *c, const struct key *k, yaml_mark_t m)
{
	c->mark[k->id] = m;
	for (const struct key *s = k->sub; s && s->name; s++)
		mark_absent(c, s, m);
}

static int parse_mapping(struct ctx *c, yaml_node_t *map, const struct key *keys,
			 const char *section)
{
	char where[64];

	if (section)
		snprintf(where, sizeof(where), "in '%s'", section);
	else
		snprintf(where, sizeof(where), "at the top level");
	if (map->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
		     p < map->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = cfg_node(c, p->key), *vn = cfg_node(c, p->value);
			const struct key *k;

			if (kn->type != YAML_SCALAR_NODE)
				return cfg_fail(c, kn->start_mark, "a key %s is a %s; hint: keys are plain names like '%s'",
					    where, cfg_type_name(kn), keys->name);
			k = find_key(keys, cfg_text(kn));
			if (!k)
				return unknown_key(c, kn, keys, where);
			if (c->seen[k->id])
				return cfg_fail(c, kn->start_mark, "duplicate key '%s' %s; hint: remove one of them (the other is on line %zu)",
					    k->name, where, c->key_mark[k->id].line + 1);
			c->seen[k->id] = true;
			c->mark[k->id] = vn->start_mark;
			c->key_mark[k->id] = kn->start_mark;
			if (section)
				snprintf(c->key, sizeof(c->key), "%s.%s", section, k->name);
			else
				snprintf(c->key, sizeof(c->key), "%s", k->name);
			c->leaf = k->name;
			if (k->sub) {
				if (vn->type != YAML_MAPPING_NODE && !cfg_is_null(vn))
					return cfg_fail(c, vn->start_mark, "'%s' must be a mapping of keys, not a %s; hint: put its keys on the lines below '%s:', indented, e.g. '%s: %s'",
						    k->name, cfg_type_name(vn), k->name, k->name, k->example);
				if (parse_mapping(c, vn, k->sub, k->name))
					return -1;
			} else if (k->parse(c, k, vn)) {
				return -1;
			}
		}
	}
	for (const struct key *k = keys; k->name; k++) {
		if (c->seen[k->id])
			continue;
		if (k->required)
			return cfg_fail(c, map->start_mark, "missing required key '%s' %s; hint: add '%s: %s'",
				    k->name, where, k->name, k->example);
		mark_absent(c, k, map->start_mark);
	}
	return 0;
}

/* ---- loading ----------------------------------------------------------- */

static int syntax_error(struct ctx *c, const yaml_parser_t *parser)
{
	return cfg_fail(c, parser->problem_mark, "YAML syntax error: %s%s%s; hint: check the indentation (spaces, not tabs) and quoting here and on the line above",
		    parser->problem ? parser->problem : "unreadable input",
		    parser->context ? " " : "", parser->context ? parser->context : "");
}

static int load_document(struct ctx *c, yaml_parser_t *parser)
{
	yaml_document_t doc, extra;
	yaml_node_t *root;
	int rc = -1;

	if (!yaml_parser_load(parser, &doc))
		return syntax_error(c, parser);
	c->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root || cfg_is_null(root)) {
		cfg_fail(c, root ? root->start_mark : doc.start_mark, "the configuration is empty; hint: start from configs/cgnat.yaml");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		cfg_fail(c, root->start_mark, "the configuration must be a mapping of sections, not a %s; hint: start from configs/cgnat.yaml",
		     cfg_type_name(root));
		goto out;
	}
	for (int i = 0; i < K_COUNT; i++)
		c->mark[i] = root->start_mark;
	if (parse_mapping(c, root, top_keys, NULL) || cfg_validate(c))
		goto out;
	if (!yaml_parser_load(parser, &extra)) {
		syntax_error(c, parser);
		goto out;
	}
	if (yaml_document_get_root_node(&extra))
		cfg_fail(c, extra.start_mark, "a second YAML document; hint: keep one configuration per file and remove this '---' part");
	else
		rc = 0;
	yaml_document_delete(&extra);
out:
	yaml_document_delete(&doc);
	return rc;
}

/* Parses into a scratch copy, so *cfg is untouched unless all is well. */
static int load(const char *name, yaml_parser_t *parser, struct cgnat_cfg *cfg,
		struct cfg_error *err)
{
	struct ctx c = { .name = name, .err = err };
	int rc;

	c.cfg = malloc(sizeof(*c.cfg));
	if (!c.cfg) {
		snprintf(err->msg, CFG_ERR_MAX, "%s: out of memory; hint: free some memory and retry",
			 name);
		return -1;
	}
	cfg_set_defaults(c.cfg);
	snprintf(c.cfg->path, sizeof(c.cfg->path), "%s", name);
	rc = load_document(&c, parser);
	if (rc == 0)
		*cfg = *c.cfg;
	free(c.cfg);
	return rc;
}

int cfg_load_file(const char *path, struct cgnat_cfg *cfg, struct cfg_error *err)
{
	struct cfg_error scratch;
	yaml_parser_t parser;
	struct stat st;
	FILE *f;
	int rc;

	if (!err)
		err = &scratch;
	f = fopen(path, "rb");
	if (!f || (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))) {
		int e = f ? EISDIR : errno;

		if (f)
			fclose(f);
		snprintf(err->msg, CFG_ERR_MAX, "%s: cannot open: %s; hint: check the path and its permissions (cgnatd -c FILE)",
			 path, strerror(e));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err->msg, CFG_ERR_MAX, "%s: out of memory; hint: free some memory and retry", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	rc = load(path, &parser, cfg, err);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int cfg_load_string(const char *name, const char *yaml, struct cgnat_cfg *cfg,
		    struct cfg_error *err)
{
	struct cfg_error scratch;
	yaml_parser_t parser;
	int rc;

	if (!err)
		err = &scratch;
	if (!name)
		name = "<string>";
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err->msg, CFG_ERR_MAX, "%s: out of memory; hint: free some memory and retry", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
	rc = load(name, &parser, cfg, err);
	yaml_parser_delete(&parser);
	return rc;
}

void cfg_set_defaults(struct cgnat_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->xdp_mode = CFG_XDP_NATIVE;
	cfg->port_min = 1024;
	cfg->port_max = 65535;
	cfg->mode = CFG_MODE_PBA;
	cfg->block_size = 256;
	cfg->max_blocks_per_subscriber = 8;
	cfg->block_idle_timeout = 300;
	cfg->ports_per_subscriber = 0;
	cfg->port_parity = true;
	cfg->filtering = CFG_FILTER_ENDPOINT_INDEPENDENT;
	cfg->hairpinning = true;
	cfg->max_sessions = 1048576;
	cfg->max_sessions_per_subscriber = 4096;
	cfg->max_ports_per_subscriber = 0;
	cfg->icmp_error_rate = 100;
	cfg->timeout_udp = 300;
	cfg->timeout_tcp_established = 7440;
	cfg->timeout_tcp_transitory = 240;
	cfg->timeout_icmp = 60;
	cfg->port_hold = 120;
	cfg->enforce_rfc_minimums = true;
	snprintf(cfg->log_directory, sizeof(cfg->log_directory), "/var/log/cgnat");
	cfg->rotate_size = 256ull << 20;
	cfg->rotate_interval = 3600;
	cfg->retention_days = 180;
	cfg->log_destinations = false;
	cfg->flush_interval_ms = 1000;
	cfg->ring_buffer_size = 16ull << 20;
	snprintf(cfg->pin_path, sizeof(cfg->pin_path), "/sys/fs/bpf/cgnat");
	cfg->keep_dataplane_on_exit = false;
	cfg->gc_interval_ms = 1000;
}

const char *cfg_mode_name(enum cfg_mode m)
{
	switch (m) {
	case CFG_MODE_PBA: return "pba";
	case CFG_MODE_DETERMINISTIC: return "deterministic";
	case CFG_MODE_SESSION: return "session";
	}
	return "unknown";
}

uint64_t cfg_subscriber_count(const struct cgnat_cfg *cfg)
{
	uint64_t n = 0;

	for (int i = 0; i < cfg->n_prefixes; i++)
		n += 1ull << (32 - cfg->prefixes[i].len);
	return n;
}
