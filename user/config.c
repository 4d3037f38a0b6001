/* Agent configuration: YAML -> struct cgnat_cfg, strictly validated.
 *
 * libyaml's document API loads the file into a node tree, which we walk
 * with one table of keys per section (see "The schema" below). A value is
 * checked when it is read; rules that span several keys (prefixes against
 * pool, the mode-dependent port arithmetic, RFC minimum timeouts) run once
 * the whole file is read, because a YAML mapping has no order. Every
 * failure becomes "FILE:LINE:COLUMN: what; hint: what to do".
 *
 * The value parsers (addresses, durations, sizes, ...) live in cfg_values.c.
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

#include "cfg_values.h"

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

/* ---- messages ---------------------------------------------------------- */

static int fail(struct ctx *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	char *msg = c->err->msg;
	size_t n;
	va_list ap;

	snprintf(msg, CFG_ERR_MAX, "%s:%zu:%zu: ", c->name, m.line + 1, m.column + 1);
	n = strlen(msg);
	va_start(ap, fmt);
	vsnprintf(msg + n, CFG_ERR_MAX - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Levenshtein distance with transpositions, case-insensitive; words are short. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ai != bj);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == bj && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The candidate closest to word, if it is close enough to be a typo. */
static const char *closest(const char *word, const char *const *names, size_t n)
{
	size_t limit = strlen(word) <= 3 ? 1 : 2, best = SIZE_MAX;
	const char *guess = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);

		if (d <= limit && d < best) {
			best = d;
			guess = names[i];
		}
	}
	return guess;
}

/* "valid keys: a, b, c" or "did you mean 'x'? valid keys: ..." */
static void suggest(char *buf, size_t size, const char *word, const char *const *names,
		    size_t n, const char *what)
{
	const char *guess = closest(word, names, n);
	size_t used = 0;

	buf[0] = '\0';
	if (guess)
		used = (size_t)snprintf(buf, size, "did you mean '%s'? ", guess);
	if (used < size)
		used += (size_t)snprintf(buf + used, size - used, "valid %s: ", what);
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
}

/* ---- nodes ------------------------------------------------------------- */

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static const char *text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A plain empty, "~" or "null" scalar: the key is there without a value. */
static bool is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (n->data.scalar.length == 0 || strcmp(text(n), "~") == 0 ||
		strcmp(text(n), "null") == 0);
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "mapping";
	case YAML_SEQUENCE_NODE: return "list";
	default: return "single value";
	}
}

/* Text of a scalar value, or NULL after reporting that `what` was expected. */
static const char *scalar(struct ctx *c, const struct key *k, yaml_node_t *v, const char *what,
			  bool allow_empty)
{
	if (v->type != YAML_SCALAR_NODE) {
		fail(c, v->start_mark, "%s must be %s, not a %s; hint: write one value, e.g. '%s: %s'",
		     c->key, what, type_name(v), c->leaf, k->example);
		return NULL;
	}
	if (!allow_empty && (is_null(v) || v->data.scalar.length == 0)) {
		fail(c, v->start_mark, "%s has no value; hint: write %s, e.g. '%s: %s', or remove the line to use the default",
		     c->key, what, c->leaf, k->example);
		return NULL;
	}
	if (strlen(text(v)) != v->data.scalar.length) {
		fail(c, v->start_mark, "%s contains a NUL character; hint: remove it", c->key);
		return NULL;
	}
	return is_null(v) ? "" : text(v);
}

static void *field(struct ctx *c, const struct key *k)
{
	return (char *)c->cfg + k->off;
}

static bool later(yaml_mark_t a, yaml_mark_t b)
{
	return a.index > b.index;
}

/* ---- leaf parsers: one per kind of value ------------------------------- */

static int out_of_range(struct ctx *c, const struct key *k, yaml_node_t *v, const char *s,
			const char *lo, const char *hi, bool unbounded)
{
	const char *hint = k->hint ? k->hint : "pick a value in that range";

	if (unbounded)
		return fail(c, v->start_mark, "%s must be at least %s, got %.80s; hint: %s", c->key,
			    lo, s, hint);
	return fail(c, v->start_mark, "%s must be %s..%s, got %.80s; hint: %s", c->key, lo, hi, s,
		    hint);
}

static int p_u32(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "a whole number", false);
	char lo[24], hi[24];
	uint32_t n = 0;
	enum cfgv_err e;

	if (!s)
		return -1;
	e = cfgv_u32(s, &n);
	if (e == CFGV_SYNTAX)
		return fail(c, v->start_mark, "%s: '%.80s' is not a whole number; hint: write digits only, e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (e != CFGV_OK || n < k->min || n > k->max) {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)k->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)k->max);
		return out_of_range(c, k, v, s, lo, hi, e == CFGV_OK && k->max == UINT32_MAX);
	}
	*(uint32_t *)field(c, k) = n;
	return 0;
}

static int p_bool(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "true or false", false);

	if (!s)
		return -1;
	if (!cfgv_bool(s, (bool *)field(c, k)))
		return fail(c, v->start_mark, "%s: '%.80s' is not a boolean; hint: write true or false (yes/no and on/off work too)",
			    c->key, s);
	return 0;
}

/* Durations; whole seconds into a uint32_t, or milliseconds when k->parse
 * is p_duration_ms. Bounds are in milliseconds either way. */
static int duration(struct ctx *c, const struct key *k, yaml_node_t *v, bool ms_ok, uint64_t *ms)
{
	const char *s = scalar(c, k, v, "a duration", false);
	char lo[32], hi[32];
	enum cfgv_err e;

	if (!s)
		return -1;
	e = cfgv_duration_ms(s, ms);
	if (e == CFGV_SYNTAX)
		return fail(c, v->start_mark, "%s: '%.80s' is not a duration; hint: write seconds, or numbers with units %s in that order, e.g. '%s: %s'",
			    c->key, s, ms_ok ? "d, h, m, s, ms" : "d, h, m, s", c->leaf, k->example);
	if (e == CFGV_OK && !ms_ok && *ms % 1000 != 0)
		return fail(c, v->start_mark, "%s: '%.80s' is not a whole number of seconds; hint: this key takes whole seconds, e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (e != CFGV_OK || *ms < k->min || *ms > k->max) {
		cfgv_duration_str(k->min, lo, sizeof(lo));
		cfgv_duration_str(k->max, hi, sizeof(hi));
		return out_of_range(c, k, v, s, lo, hi, e == CFGV_OK && k->max == DUR_MAX);
	}
	return 0;
}

static int p_duration(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	uint64_t ms;

	if (duration(c, k, v, false, &ms))
		return -1;
	*(uint32_t *)field(c, k) = (uint32_t)(ms / 1000);
	return 0;
}

static int p_duration_ms(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	uint64_t ms;

	if (duration(c, k, v, true, &ms))
		return -1;
	*(uint32_t *)field(c, k) = (uint32_t)ms; /* bounds keep it small */
	return 0;
}

static int p_size(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "a size", false);
	uint64_t bytes = 0;
	enum cfgv_err e;
	char lo[32];

	if (!s)
		return -1;
	e = cfgv_size(s, &bytes);
	if (e == CFGV_SYNTAX)
		return fail(c, v->start_mark, "%s: '%.80s' is not a size; hint: write bytes, or a number with K, M or G (1024-based), e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (e == CFGV_RANGE)
		return fail(c, v->start_mark, "%s: '%.80s' does not fit in 64 bits; hint: use a realistic size, e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (bytes < k->min) {
		snprintf(lo, sizeof(lo), "%llu bytes", (unsigned long long)k->min);
		return out_of_range(c, k, v, s, lo, NULL, true);
	}
	*(uint64_t *)field(c, k) = bytes;
	return 0;
}

static int path(struct ctx *c, const struct key *k, yaml_node_t *v, bool absolute)
{
	const char *s = scalar(c, k, v, absolute ? "an absolute path" : "a path", !absolute);
	size_t len;

	if (!s)
		return -1;
	len = strlen(s);
	if (len >= PATH_MAX)
		return fail(c, v->start_mark, "%s is longer than %d characters; hint: use a shorter path",
			    c->key, PATH_MAX - 1);
	if (absolute && s[0] != '/')
		return fail(c, v->start_mark, "%s must be an absolute path, got '%.80s'; hint: start it with '/', e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	memcpy(field(c, k), s, len + 1);
	return 0;
}

static int p_path(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	return path(c, k, v, false);
}

static int p_abs_path(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	return path(c, k, v, true);
}

/* Index of the word among names (in enum order), or -1 after reporting. */
static int choose(struct ctx *c, const struct key *k, yaml_node_t *v, const char *const *names,
		  size_t n)
{
	const char *s = scalar(c, k, v, "one word", false);
	char hint[256];

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	suggest(hint, sizeof(hint), s, names, n, "values");
	fail(c, v->start_mark, "%s: unknown value '%.80s'; hint: %s", c->key, s, hint);
	return -1;
}

static int p_xdp_mode(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	static const char *const names[] = { "native", "generic" };
	int i = choose(c, k, v, names, 2);

	if (i < 0)
		return -1;
	c->cfg->xdp_mode = (enum cfg_xdp_mode)i;
	return 0;
}

static int p_mode(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	static const char *const names[] = { "pba", "deterministic", "session" };
	int i = choose(c, k, v, names, 3);

	if (i < 0)
		return -1;
	c->cfg->mode = (enum cfg_mode)i;
	return 0;
}

static int p_filtering(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	static const char *const names[] = { "endpoint-independent", "address-dependent" };
	int i = choose(c, k, v, names, 2);

	if (i < 0)
		return -1;
	c->cfg->filtering = (enum cfg_filtering)i;
	return 0;
}

static int p_ports(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "a port range", false);
	uint16_t lo, hi;

	if (!s)
		return -1;
	switch (cfgv_port_range(s, &lo, &hi)) {
	case CFGV_OK:
		break;
	case CFGV_RANGE:
		return fail(c, v->start_mark, "port range '%.80s' goes above 65535; hint: ports are 1024..65535, e.g. '%s: %s'",
			    s, c->leaf, k->example);
	case CFGV_ORDER:
		return fail(c, v->start_mark, "port range '%.80s' ends before it starts; hint: write the lower port first, e.g. '%s: %s'",
			    s, c->leaf, k->example);
	default:
		return fail(c, v->start_mark, "'%.80s' is not a port range; hint: write MIN-MAX, e.g. '%s: %s'",
			    s, c->leaf, k->example);
	}
	if (lo < 1024)
		return fail(c, v->start_mark, "port range '%.80s' starts below 1024; hint: ports 0-1023 are never allocated dynamically (RFC 4787 REQ-3); start at 1024 or above",
			    s);
	c->cfg->port_min = lo;
	c->cfg->port_max = hi;
	return 0;
}

/* ---- lists: one scalar or a sequence of them --------------------------- */

typedef int item_fn(struct ctx *c, const struct key *k, yaml_node_t *item, const char *s,
		    int idx);

/* Calls fn for each of 1..max items; returns the count, or -1. */
static int each_item(struct ctx *c, const struct key *k, yaml_node_t *v, int max,
		     const char *what, const char *noun, item_fn *fn)
{
	yaml_node_item_t *it;
	const char *s;
	int n = 0;

	if (v->type == YAML_MAPPING_NODE)
		return fail(c, v->start_mark, "%s must be %s or a list of %s, not a mapping; hint: write e.g. '%s: [%s]'",
			    c->key, what, noun, c->leaf, k->example);
	if (v->type == YAML_SCALAR_NODE && !is_null(v)) {
		s = scalar(c, k, v, what, false);
		return !s || fn(c, k, v, s, 0) ? -1 : 1;
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, n++) {
			yaml_node_t *item = node(c, *it);

			if (n == max)
				return fail(c, item->start_mark, "%s lists more than %d %s; hint: %s",
					    c->key, max, noun, k->hint);
			s = scalar(c, k, item, what, false);
			if (!s || fn(c, k, item, s, n))
				return -1;
		}
	}
	if (n == 0)
		return fail(c, v->start_mark, "%s lists no %s; hint: give at least one, e.g. '%s: [%s]'",
			    c->key, noun, c->leaf, k->example);
	return n;
}

static int add_interface(struct ctx *c, const struct key *k, yaml_node_t *item, const char *s,
			 int idx)
{
	bool inside = k->id == K_INSIDE;
	char(*names)[IF_NAMESIZE] = inside ? c->cfg->inside : c->cfg->outside;
	struct src_item *src = inside ? c->inside : c->outside;
	size_t len = strlen(s);

	if (len >= IF_NAMESIZE)
		return fail(c, item->start_mark, "interface name '%.80s' is %zu characters long; hint: Linux interface names have 1 to %d characters",
			    s, len, IF_NAMESIZE - 1);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strpbrk(s, "/: \t\r\n"))
		return fail(c, item->start_mark, "'%.80s' is not a valid interface name; hint: names cannot be '.' or '..' or contain '/', ':' or blanks",
			    s);
	for (int i = 0; i < idx; i++)
		if (strcmp(names[i], s) == 0)
			return fail(c, item->start_mark, "interface '%s' is listed twice in %s; hint: list each interface once",
				    s, c->key);
	memcpy(names[idx], s, len + 1);
	src[idx] = (struct src_item){ s, item->start_mark };
	return 0;
}

static int p_interfaces(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	int n = each_item(c, k, v, CFG_MAX_IFACES, "an interface name", "interface names",
			  add_interface);

	if (n < 0)
		return -1;
	*(k->id == K_INSIDE ? &c->cfg->n_inside : &c->cfg->n_outside) = n;
	return 0;
}

static struct cfg_range prefix_range(struct cfg_prefix p)
{
	return (struct cfg_range){ p.addr, p.addr | ~cfgv_mask(p.len) };
}

static bool overlap(struct cfg_range a, struct cfg_range b)
{
	return a.first <= b.last && b.first <= a.last;
}

/* Reports a malformed CIDR; `example` is shown in the hint. */
static int bad_prefix(struct ctx *c, yaml_node_t *item, const char *s, enum cfgv_err e,
		      const struct cfg_prefix *fixed, const char *example)
{
	char a[CFGV_ADDR_STRLEN];

	if (e == CFGV_HOST_BITS)
		return fail(c, item->start_mark, "'%.80s' has host bits set; hint: use %s/%u", s,
			    cfgv_addr_str(fixed->addr, a), fixed->len);
	if (e == CFGV_RANGE)
		return fail(c, item->start_mark, "'%.80s' has a prefix length above 32; hint: IPv4 prefix lengths are 0..32, e.g. %s",
			    s, example);
	return fail(c, item->start_mark, "'%.80s' is not a CIDR prefix; hint: write ADDRESS/LENGTH, e.g. %s",
		    s, example);
}

static int add_prefix(struct ctx *c, const struct key *k, yaml_node_t *item, const char *s,
		      int idx)
{
	struct cfg_prefix p;
	enum cfgv_err e = cfgv_prefix(s, &p);

	if (e != CFGV_OK)
		return bad_prefix(c, item, s, e, &p, k->example);
	for (int i = 0; i < idx; i++)
		if (overlap(prefix_range(p), prefix_range(c->cfg->prefixes[i])))
			return fail(c, item->start_mark, "subscriber prefixes %s and %.80s overlap; hint: list each address once; remove or merge one of them",
				    c->prefixes[i].text, s);
	c->cfg->prefixes[idx] = p;
	c->prefixes[idx] = (struct src_item){ s, item->start_mark };
	return 0;
}

static int p_prefixes(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	int n = each_item(c, k, v, CFG_MAX_PREFIXES, "a CIDR prefix", "prefixes", add_prefix);

	if (n < 0)
		return -1;
	c->cfg->n_prefixes = n;
	return 0;
}

static const struct {
	struct cfg_range r;
	const char *what;
} reserved[] = {
	{ { 0x00000000, 0x00ffffff }, "0.0.0.0/8 (\"this network\")" },
	{ { 0x7f000000, 0x7fffffff }, "127.0.0.0/8 (loopback)" },
	{ { 0xe0000000, 0xefffffff }, "224.0.0.0/4 (multicast)" },
	{ { 0xffffffff, 0xffffffff }, "255.255.255.255 (broadcast)" },
};

static int add_pool_item(struct ctx *c, const struct key *k, yaml_node_t *item, const char *s,
			 int idx)
{
	struct cfg_range r;
	struct cfg_prefix p;
	enum cfgv_err e;

	if (strchr(s, '/')) {
		e = cfgv_prefix(s, &p);
		if (e != CFGV_OK)
			return bad_prefix(c, item, s, e, &p, k->example);
		r = prefix_range(p);
	} else {
		e = cfgv_range(s, &r);
		if (e == CFGV_ORDER)
			return fail(c, item->start_mark, "pool range '%.80s' ends before it starts; hint: write the lower address first",
				    s);
		if (e != CFGV_OK)
			return fail(c, item->start_mark, "'%.80s' is not an address, range or CIDR prefix; hint: write A.B.C.D, A.B.C.D-E.F.G.H or A.B.C.D/LEN, e.g. %s",
				    s, k->example);
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (overlap(r, reserved[i].r))
			return fail(c, item->start_mark, "pool entry '%.80s' includes %s; hint: the pool must hold public unicast addresses",
				    s, reserved[i].what);
	c->pool[idx] = (struct pool_item){ r, { s, item->start_mark } };
	return 0;
}

static int p_pool(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	struct cgnat_cfg *cfg = c->cfg;
	uint64_t size = 0;
	int n = each_item(c, k, v, CFG_MAX_POOL_RANGES, "an address, range or CIDR prefix",
			  "addresses", add_pool_item);

	if (n < 0)
		return -1;
	for (int i = 1; i < n; i++) { /* insertion sort by first address; n <= 64 */
		struct pool_item t = c->pool[i];
		int j = i;

		for (; j > 0 && c->pool[j - 1].range.first > t.range.first; j--)
			c->pool[j] = c->pool[j - 1];
		c->pool[j] = t;
	}
	for (int i = 0; i < n; i++) {
		if (i > 0 && overlap(c->pool[i - 1].range, c->pool[i].range)) {
			const struct src_item *a = &c->pool[i - 1].src, *b = &c->pool[i].src;

			if (later(a->mark, b->mark)) {
				const struct src_item *t = a;

				a = b;
				b = t;
			}
			return fail(c, b->mark, "pool address ranges %.80s and %.80s overlap; hint: list each address once; merge or shrink one of them",
				    a->text, b->text);
		}
		cfg->pool[i] = c->pool[i].range;
		size += (uint64_t)c->pool[i].range.last - c->pool[i].range.first + 1;
	}
	if (size > POOL_MAX_ADDRESSES)
		return fail(c, v->start_mark, "pool has %llu addresses, more than %d; hint: each public address costs 768 KiB of dataplane memory; split into several instances",
			    (unsigned long long)size, POOL_MAX_ADDRESSES);
	cfg->n_pool = n;
	cfg->pool_size = (uint32_t)size;
	return 0;
}

/* ---- the schema -------------------------------------------------------- */

#define LEAF(n, i, fn, fld, ex) \
	.name = n, .id = i, .parse = fn, .off = offsetof(struct cgnat_cfg, fld), .example = ex
#define SECTION(n, i, keys, ex) .name = n, .id = i, .sub = keys, .example = ex

static const struct key interface_keys[] = {
	{ LEAF("inside", K_INSIDE, p_interfaces, inside, "eth1"), .required = true,
	  .hint = "one instance serves at most 8 inside interfaces" },
	{ LEAF("outside", K_OUTSIDE, p_interfaces, outside, "eth0"), .required = true,
	  .hint = "one instance serves at most 8 outside interfaces" },
	{ LEAF("xdp_mode", K_XDP_MODE, p_xdp_mode, xdp_mode, "native") },
	{ 0 },
};

static const struct key subscriber_keys[] = {
	{ LEAF("prefixes", K_PREFIXES, p_prefixes, prefixes, "100.64.0.0/10"), .required = true,
	  .hint = "merge adjacent prefixes into shorter ones" },
	{ LEAF("database", K_DATABASE, p_path, subscriber_db, "/etc/cgnat/subscribers.csv") },
	{ 0 },
};

static const struct key pool_keys[] = {
	{ LEAF("addresses", K_ADDRESSES, p_pool, pool, "198.51.100.0/28"), .required = true,
	  .hint = "merge adjacent entries into ranges" },
	{ LEAF("ports", K_PORTS, p_ports, port_min, "1024-65535") },
	{ 0 },
};

static const struct key allocation_keys[] = {
	{ LEAF("block_size", K_BLOCK_SIZE, p_u32, block_size, "256"), .min = 8, .max = 65535,
	  .hint = "a block holds 8 to 65535 ports" },
	{ LEAF("max_blocks_per_subscriber", K_MAX_BLOCKS, p_u32, max_blocks_per_subscriber, "8"),
	  .min = 1, .max = CFG_MAX_BLOCKS_PER_SUBSCRIBER,
	  .hint = "the dataplane tracks at most 32 blocks per subscriber; raise block_size instead" },
	{ LEAF("block_idle_timeout", K_BLOCK_IDLE, p_duration, block_idle_timeout, "5m"),
	  .min = 1000, .max = DUR_MAX },
	{ LEAF("ports_per_subscriber", K_PORTS_PER_SUB, p_u32, ports_per_subscriber, "0"),
	  .min = 0, .max = 65535, .hint = "use 0 to derive it from the prefixes and the pool" },
	{ LEAF("port_parity", K_PORT_PARITY, p_bool, port_parity, "true") },
	{ LEAF("filtering", K_FILTERING, p_filtering, filtering, "endpoint-independent") },
	{ LEAF("hairpinning", K_HAIRPINNING, p_bool, hairpinning, "true") },
	{ 0 },
};

static const struct key limit_keys[] = {
	{ LEAF("max_sessions", K_MAX_SESSIONS, p_u32, max_sessions, "1048576"), .min = 1024,
	  .max = 67108864, .hint = "the session table holds 1024 to 67108864 entries" },
	{ LEAF("max_sessions_per_subscriber", K_MAX_SESSIONS_PER_SUB, p_u32,
	       max_sessions_per_subscriber, "4096"), .min = 1, .max = 67108864 },
	{ LEAF("max_ports_per_subscriber", K_MAX_PORTS_PER_SUB, p_u32, max_ports_per_subscriber,
	       "0"), .min = 0, .max = UINT32_MAX },
	{ LEAF("icmp_error_rate", K_ICMP_RATE, p_u32, icmp_error_rate, "100"), .min = 0,
	  .max = 100000, .hint = "0 disables the ICMP errors the NAT sends itself" },
	{ 0 },
};

#define TIMEOUT(n, i, fld, ex) \
	{ LEAF(n, i, p_duration, fld, ex), .min = 1000, .max = DUR_MAX }

static const struct key timeout_keys[] = {
	TIMEOUT("udp", K_UDP, timeout_udp, "5m"),
	TIMEOUT("tcp_established", K_TCP_ESTABLISHED, timeout_tcp_established, "2h4m"),
	TIMEOUT("tcp_transitory", K_TCP_TRANSITORY, timeout_tcp_transitory, "4m"),
	TIMEOUT("icmp", K_ICMP, timeout_icmp, "60s"),
	TIMEOUT("port_hold", K_PORT_HOLD, port_hold, "2m"),
	{ LEAF("enforce_rfc_minimums", K_ENFORCE, p_bool, enforce_rfc_minimums, "true") },
	{ 0 },
};

static const struct key logging_keys[] = {
	{ LEAF("directory", K_LOG_DIRECTORY, p_abs_path, log_directory, "/var/log/cgnat") },
	{ LEAF("rotate_size", K_ROTATE_SIZE, p_size, rotate_size, "256M"), .min = 4096,
	  .hint = "files smaller than 4K would rotate constantly" },
	{ LEAF("rotate_interval", K_ROTATE_INTERVAL, p_duration, rotate_interval, "1h"),
	  .min = 60000, .max = DUR_MAX, .hint = "rotate at most once a minute" },
	{ LEAF("retention_days", K_RETENTION, p_u32, retention_days, "180"), .min = 1,
	  .max = 36500, .hint = "keep logs 1 day to 100 years, as your legal retention requires" },
	{ LEAF("log_destinations", K_LOG_DESTINATIONS, p_bool, log_destinations, "false") },
	{ LEAF("flush_interval", K_FLUSH_INTERVAL, p_duration_ms, flush_interval_ms, "1s"),
	  .min = 10, .max = 60000, .hint = "flush between every 10ms and every 60s" },
	{ LEAF("ring_buffer_size", K_RING_SIZE, p_size, ring_buffer_size, "16M"), .min = 65536,
	  .hint = "the event ring holds 64K to 1G" },
	{ 0 },
};

static const struct key dataplane_keys[] = {
	{ LEAF("pin_path", K_PIN_PATH, p_abs_path, pin_path, "/sys/fs/bpf/cgnat") },
	{ LEAF("keep_on_exit", K_KEEP_ON_EXIT, p_bool, keep_dataplane_on_exit, "false") },
	{ LEAF("gc_interval", K_GC_INTERVAL, p_duration_ms, gc_interval_ms, "1s"), .min = 10,
	  .max = 60000, .hint = "run the expiry pass between every 10ms and every 60s" },
	{ 0 },
};

static const struct key top_keys[] = {
	{ SECTION("interfaces", K_INTERFACES, interface_keys, "{inside: eth1, outside: eth0}"),
	  .required = true },
	{ SECTION("subscribers", K_SUBSCRIBERS, subscriber_keys, "{prefixes: [100.64.0.0/10]}"),
	  .required = true },
	{ SECTION("pool", K_POOL, pool_keys, "{addresses: [198.51.100.0/28]}"), .required = true },
	{ LEAF("mode", K_MODE, p_mode, mode, "pba") },
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
	suggest(hint, sizeof(hint), text(kn), names, n, "keys");
	return fail(c, kn->start_mark, "unknown key '%.80s' %s; hint: %s", text(kn), where, hint);
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
			yaml_node_t *kn = node(c, p->key), *vn = node(c, p->value);
			const struct key *k;

			if (kn->type != YAML_SCALAR_NODE)
				return fail(c, kn->start_mark, "a key %s is a %s; hint: keys are plain names like '%s'",
					    where, type_name(kn), keys->name);
			k = find_key(keys, text(kn));
			if (!k)
				return unknown_key(c, kn, keys, where);
			if (c->seen[k->id])
				return fail(c, kn->start_mark, "duplicate key '%s' %s; hint: remove one of them (the other is on line %zu)",
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
				if (vn->type != YAML_MAPPING_NODE && !is_null(vn))
					return fail(c, vn->start_mark, "'%s' must be a mapping of keys, not a %s; hint: put its keys on the lines below '%s:', indented, e.g. '%s: %s'",
						    k->name, type_name(vn), k->name, k->name, k->example);
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
			return fail(c, map->start_mark, "missing required key '%s' %s; hint: add '%s: %s'",
				    k->name, where, k->name, k->example);
		mark_absent(c, k, map->start_mark);
	}
	return 0;
}

/* ---- rules across keys, once everything is read ------------------------ */

static int check_interfaces(struct ctx *c)
{
	for (int i = 0; i < c->cfg->n_inside; i++) {
		for (int j = 0; j < c->cfg->n_outside; j++) {
			const struct src_item *in = &c->inside[i], *out = &c->outside[j];

			if (strcmp(in->text, out->text) == 0)
				return fail(c, later(in->mark, out->mark) ? in->mark : out->mark,
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
			if (overlap(c->cfg->pool[i], prefix_range(c->cfg->prefixes[j])))
				return fail(c, c->pool[i].src.mark, "pool entry %.80s overlaps subscriber prefix %.80s; hint: the pool holds public addresses; take them from outside the subscriber prefixes",
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
		return fail(c, c->mark[K_PORTS_PER_SUB], "allocation.ports_per_subscriber is only used in deterministic mode (mode is %s); hint: remove it, or set 'mode: deterministic'",
			    cfg_mode_name(cfg->mode));
	if (cfg->block_size > ports)
		return fail(c, blame(c, K_BLOCK_SIZE, K_PORTS), "allocation.block_size %u is larger than the %u ports of pool.ports; hint: lower block_size or widen pool.ports",
			    cfg->block_size, ports);
	if (cfg->max_ports_per_subscriber > cap)
		return fail(c, c->mark[K_MAX_PORTS_PER_SUB], "limits.max_ports_per_subscriber %u is more than max_blocks_per_subscriber * block_size = %u * %u = %llu, an impossible combination; hint: raise max_blocks_per_subscriber or block_size, or lower max_ports_per_subscriber",
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
			return fail(c, c->mark[K_PREFIXES], "deterministic mode: %llu subscribers on %llu pool addresses leave %llu ports each, fewer than 8; hint: %s",
				    subs, pool, derived, hint);
		pps = cfg->ports_per_subscriber = (uint32_t)derived;
	} else if (pps < 8 || pps > ports) {
		return fail(c, c->mark[K_PORTS_PER_SUB], "allocation.ports_per_subscriber must be 8..%u (the ports in pool.ports), got %u; hint: %s",
			    ports, pps, hint);
	} else if ((unsigned long long)(ports / pps) * pool < subs) {
		return fail(c, c->mark[K_PORTS_PER_SUB], "with ports_per_subscriber %u the pool holds %llu subscribers (%u per address on %llu addresses), but the prefixes cover %llu; hint: %s",
			    pps, (ports / pps) * pool, ports / pps, pool, subs, hint);
	}
	if (cfg->max_ports_per_subscriber > pps)
		return fail(c, c->mark[K_MAX_PORTS_PER_SUB], "limits.max_ports_per_subscriber %u is more than the %u ports each subscriber owns in deterministic mode; hint: lower it, or set 0 to use them all",
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
		return fail(c, c->mark[rfc_minimums[i].id], "%s %s is below the %s minimum of %s; hint: use at least %s, or set timeouts.enforce_rfc_minimums: false for lab use",
			    rfc_minimums[i].name, have, rfc_minimums[i].rfc, need, need);
	}
	return 0;
}

static int validate(struct ctx *c)
{
	struct cgnat_cfg *cfg = c->cfg;

	if (check_interfaces(c) || check_pool_vs_prefixes(c))
		return -1;
	if ((cfg->mode == CFG_MODE_DETERMINISTIC ? check_deterministic(c) : check_dynamic(c)))
		return -1;
	if (cfg->max_sessions_per_subscriber > cfg->max_sessions)
		return fail(c, blame(c, K_MAX_SESSIONS_PER_SUB, K_MAX_SESSIONS), "limits.max_sessions_per_subscriber %u is more than limits.max_sessions %u; hint: lower max_sessions_per_subscriber or raise max_sessions",
			    cfg->max_sessions_per_subscriber, cfg->max_sessions);
	if (cfg->ring_buffer_size > (1ull << 30) ||
	    (cfg->ring_buffer_size & (cfg->ring_buffer_size - 1)))
		return fail(c, c->mark[K_RING_SIZE], "logging.ring_buffer_size must be a power of two between 64K and 1G; hint: use e.g. 16M or 64M");
	return check_timeouts(c);
}

/* ---- loading ----------------------------------------------------------- */

static int syntax_error(struct ctx *c, const yaml_parser_t *parser)
{
	return fail(c, parser->problem_mark, "YAML syntax error: %s%s%s; hint: check the indentation (spaces, not tabs) and quoting here and on the line above",
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
	if (!root || is_null(root)) {
		fail(c, root ? root->start_mark : doc.start_mark, "the configuration is empty; hint: start from configs/cgnat.yaml");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		fail(c, root->start_mark, "the configuration must be a mapping of sections, not a %s; hint: start from configs/cgnat.yaml",
		     type_name(root));
		goto out;
	}
	for (int i = 0; i < K_COUNT; i++)
		c->mark[i] = root->start_mark;
	if (parse_mapping(c, root, top_keys, NULL) || validate(c))
		goto out;
	if (!yaml_parser_load(parser, &extra)) {
		syntax_error(c, parser);
		goto out;
	}
	if (yaml_document_get_root_node(&extra))
		fail(c, extra.start_mark, "a second YAML document; hint: keep one configuration per file and remove this '---' part");
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
