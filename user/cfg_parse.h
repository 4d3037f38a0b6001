/* Internal to the configuration parser (config.c, cfg_leaves.c,
 * cfg_validate.c): the parse context, the key tables' types, and the
 * helpers they share. */
#ifndef CGNAT_CFG_PARSE_H
#define CGNAT_CFG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config.h"

/* Every key, sections included; indexes the per-key bookkeeping in ctx. */
enum key_id {
	K_INTERFACES, K_INSIDE, K_OUTSIDE, K_XDP_MODE,
	K_SUBSCRIBERS, K_PREFIXES, K_DATABASE,
	K_POOL, K_ADDRESSES, K_PORTS,
	K_MODE,
	K_ALLOCATION, K_BLOCK_SIZE, K_MAX_BLOCKS, K_BLOCK_IDLE, K_PORTS_PER_SUB,
	K_PORT_PARITY, K_FILTERING, K_HAIRPINNING,
	K_LIMITS, K_MAX_SESSIONS, K_MAX_SESSIONS_PER_SUB, K_MAX_PORTS_PER_SUB, K_ICMP_RATE,
	K_TIMEOUTS, K_UDP, K_TCP_ESTABLISHED, K_TCP_TRANSITORY, K_ICMP, K_PORT_HOLD, K_ENFORCE,
	K_LOGGING, K_LOG_DIRECTORY, K_ROTATE_SIZE, K_ROTATE_INTERVAL, K_RETENTION,
	K_LOG_DESTINATIONS, K_FLUSH_INTERVAL, K_RING_SIZE,
	K_DATAPLANE, K_PIN_PATH, K_KEEP_ON_EXIT, K_GC_INTERVAL,
	K_COUNT
};

/* A list item as written in the file, for messages that name it. */
struct src_item {
	const char *text;
	yaml_mark_t mark;
};

struct pool_item {
	struct cfg_range range;
	struct src_item src;
};

struct ctx {
	const char *name;        /* file name in messages */
	struct cgnat_cfg *cfg;   /* being filled */
	struct cfg_error *err;
	yaml_document_t *doc;
	char key[64];            /* "section.key" of the value being read */
	const char *leaf;        /* "key" alone, for examples in hints */
	bool seen[K_COUNT];
	yaml_mark_t mark[K_COUNT];     /* value node; the enclosing mapping if absent */
	yaml_mark_t key_mark[K_COUNT]; /* key node, for duplicates */
	struct src_item inside[CFG_MAX_IFACES];
	struct src_item outside[CFG_MAX_IFACES];
	struct src_item prefixes[CFG_MAX_PREFIXES];
	struct pool_item pool[CFG_MAX_POOL_RANGES]; /* in cfg->pool order once sorted */
};

struct key;
typedef int parse_fn(struct ctx *c, const struct key *k, yaml_node_t *v);

struct key {
	const char *name;
	enum key_id id;
	parse_fn *parse;        /* leaf: reads the value into the config */
	const struct key *sub;  /* section: its keys, ended by an entry without name */
	size_t off;             /* offsetof() the field a leaf's value lands in */
	uint64_t min, max;      /* bounds checked on read; durations in milliseconds */
	const char *example;    /* a valid value, shown in hints */
	const char *hint;       /* why the bounds are what they are */
	bool required;
};

#define DUR_MAX ((uint64_t)UINT32_MAX * 1000) /* longest duration, in ms */

/* Each public address costs the dataplane 768 KiB (port and block maps). */
#define POOL_MAX_ADDRESSES 16384

int cfg_fail(struct ctx *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void cfg_suggest(char *buf, size_t size, const char *word, const char *const *names,
		    size_t n, const char *what);
yaml_node_t *cfg_node(struct ctx *c, int id);
const char *cfg_text(const yaml_node_t *n);
bool cfg_is_null(const yaml_node_t *n);
const char *cfg_type_name(const yaml_node_t *n);
bool cfg_later(yaml_mark_t a, yaml_mark_t b);
int cfgp_u32(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_bool(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_duration(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_duration_ms(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_size(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_path(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_abs_path(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_xdp_mode(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_mode(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_filtering(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_ports(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_interfaces(struct ctx *c, const struct key *k, yaml_node_t *v);
struct cfg_range cfg_prefix_range(struct cfg_prefix p);
bool cfg_overlap(struct cfg_range a, struct cfg_range b);
int cfgp_prefixes(struct ctx *c, const struct key *k, yaml_node_t *v);
int cfgp_pool(struct ctx *c, const struct key *k, yaml_node_t *v);

/* Rules across keys, once the whole file is read. */
int cfg_validate(struct ctx *c);

#endif
