/* Reading one configuration value: messages with line:column and hints,
 * YAML node helpers, and one parser per kind of value (numbers,
 * durations, sizes, paths, choices, interface/prefix/pool lists). */
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

/* ---- messages ---------------------------------------------------------- */

int cfg_fail(struct ctx *c, yaml_mark_t m, const char *fmt, ...)
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
void cfg_suggest(char *buf, size_t size, const char *word, const char *const *names,
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

yaml_node_t *cfg_node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

const char *cfg_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A plain empty, "~" or "null" scalar: the key is there without a value. */
bool cfg_is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (n->data.scalar.length == 0 || strcmp(cfg_text(n), "~") == 0 ||
		strcmp(cfg_text(n), "null") == 0);
}

const char *cfg_type_name(const yaml_node_t *n)
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
		cfg_fail(c, v->start_mark, "%s must be %s, not a %s; hint: write one value, e.g. '%s: %s'",
		     c->key, what, cfg_type_name(v), c->leaf, k->example);
		return NULL;
	}
	if (!allow_empty && (cfg_is_null(v) || v->data.scalar.length == 0)) {
		cfg_fail(c, v->start_mark, "%s has no value; hint: write %s, e.g. '%s: %s', or remove the line to use the default",
		     c->key, what, c->leaf, k->example);
		return NULL;
	}
	if (strlen(cfg_text(v)) != v->data.scalar.length) {
		cfg_fail(c, v->start_mark, "%s contains a NUL character; hint: remove it", c->key);
		return NULL;
	}
	return cfg_is_null(v) ? "" : cfg_text(v);
}

static void *field(struct ctx *c, const struct key *k)
{
	return (char *)c->cfg + k->off;
}

bool cfg_later(yaml_mark_t a, yaml_mark_t b)
{
	return a.index > b.index;
}

/* ---- leaf parsers: one per kind of value ------------------------------- */

static int out_of_range(struct ctx *c, const struct key *k, yaml_node_t *v, const char *s,
			const char *lo, const char *hi, bool unbounded)
{
	const char *hint = k->hint ? k->hint : "pick a value in that range";

	if (unbounded)
		return cfg_fail(c, v->start_mark, "%s must be at least %s, got %.80s; hint: %s", c->key,
			    lo, s, hint);
	return cfg_fail(c, v->start_mark, "%s must be %s..%s, got %.80s; hint: %s", c->key, lo, hi, s,
		    hint);
}

int cfgp_u32(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "a whole number", false);
	char lo[24], hi[24];
	uint32_t n = 0;
	enum cfgv_err e;

	if (!s)
		return -1;
	e = cfgv_u32(s, &n);
	if (e == CFGV_SYNTAX)
		return cfg_fail(c, v->start_mark, "%s: '%.80s' is not a whole number; hint: write digits only, e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (e != CFGV_OK || n < k->min || n > k->max) {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)k->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)k->max);
		return out_of_range(c, k, v, s, lo, hi, e == CFGV_OK && k->max == UINT32_MAX);
	}
	*(uint32_t *)field(c, k) = n;
	return 0;
}

int cfgp_bool(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "true or false", false);

	if (!s)
		return -1;
	if (!cfgv_bool(s, (bool *)field(c, k)))
		return cfg_fail(c, v->start_mark, "%s: '%.80s' is not a boolean; hint: write true or false (yes/no and on/off work too)",
			    c->key, s);
	return 0;
}

/* Durations; whole seconds into a uint32_t, or milliseconds when k->parse
 * is cfgp_duration_ms. Bounds are in milliseconds either way. */
static int duration(struct ctx *c, const struct key *k, yaml_node_t *v, bool ms_ok, uint64_t *ms)
{
	const char *s = scalar(c, k, v, "a duration", false);
	char lo[32], hi[32];
	enum cfgv_err e;

	if (!s)
		return -1;
	e = cfgv_duration_ms(s, ms);
	if (e == CFGV_SYNTAX)
		return cfg_fail(c, v->start_mark, "%s: '%.80s' is not a duration; hint: write seconds, or numbers with units %s in that order, e.g. '%s: %s'",
			    c->key, s, ms_ok ? "d, h, m, s, ms" : "d, h, m, s", c->leaf, k->example);
	if (e == CFGV_OK && !ms_ok && *ms % 1000 != 0)
		return cfg_fail(c, v->start_mark, "%s: '%.80s' is not a whole number of seconds; hint: this key takes whole seconds, e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (e != CFGV_OK || *ms < k->min || *ms > k->max) {
		cfgv_duration_str(k->min, lo, sizeof(lo));
		cfgv_duration_str(k->max, hi, sizeof(hi));
		return out_of_range(c, k, v, s, lo, hi, e == CFGV_OK && k->max == DUR_MAX);
	}
	return 0;
}

int cfgp_duration(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	uint64_t ms;

	if (duration(c, k, v, false, &ms))
		return -1;
	*(uint32_t *)field(c, k) = (uint32_t)(ms / 1000);
	return 0;
}

int cfgp_duration_ms(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	uint64_t ms;

	if (duration(c, k, v, true, &ms))
		return -1;
	*(uint32_t *)field(c, k) = (uint32_t)ms; /* bounds keep it small */
	return 0;
}

int cfgp_size(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "a size", false);
	uint64_t bytes = 0;
	enum cfgv_err e;
	char lo[32];

	if (!s)
		return -1;
	e = cfgv_size(s, &bytes);
	if (e == CFGV_SYNTAX)
		return cfg_fail(c, v->start_mark, "%s: '%.80s' is not a size; hint: write bytes, or a number with K, M or G (1024-based), e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (e == CFGV_RANGE)
		return cfg_fail(c, v->start_mark, "%s: '%.80s' does not fit in 64 bits; hint: use a realistic size, e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	if (bytes < k->min) {
		snprintf(lo, sizeof(lo), "%llu bytes", (unsigned long long)k->min);
		return out_of_range(c, k, v, s, lo, NULL, true);
	}
	*(uint64_t *)field(c, k) = bytes;
	return 0;
}

static int read_path(struct ctx *c, const struct key *k, yaml_node_t *v, bool absolute)
{
	const char *s = scalar(c, k, v, absolute ? "an absolute path" : "a path", !absolute);
	size_t len;

	if (!s)
		return -1;
	len = strlen(s);
	if (len >= PATH_MAX)
		return cfg_fail(c, v->start_mark, "%s is longer than %d characters; hint: use a shorter path",
			    c->key, PATH_MAX - 1);
	if (absolute && s[0] != '/')
		return cfg_fail(c, v->start_mark, "%s must be an absolute path, got '%.80s'; hint: start it with '/', e.g. '%s: %s'",
			    c->key, s, c->leaf, k->example);
	memcpy(field(c, k), s, len + 1);
	return 0;
}

int cfgp_path(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	return read_path(c, k, v, false);
}

int cfgp_abs_path(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	return read_path(c, k, v, true);
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
	cfg_suggest(hint, sizeof(hint), s, names, n, "values");
	cfg_fail(c, v->start_mark, "%s: unknown value '%.80s'; hint: %s", c->key, s, hint);
	return -1;
}

int cfgp_xdp_mode(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	static const char *const names[] = { "native", "generic" };
	int i = choose(c, k, v, names, 2);

	if (i < 0)
		return -1;
	c->cfg->xdp_mode = (enum cfg_xdp_mode)i;
	return 0;
}

int cfgp_mode(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	static const char *const names[] = { "pba", "deterministic", "session" };
	int i = choose(c, k, v, names, 3);

	if (i < 0)
		return -1;
	c->cfg->mode = (enum cfg_mode)i;
	return 0;
}

int cfgp_filtering(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	static const char *const names[] = { "endpoint-independent", "address-dependent" };
	int i = choose(c, k, v, names, 2);

	if (i < 0)
		return -1;
	c->cfg->filtering = (enum cfg_filtering)i;
	return 0;
}

int cfgp_ports(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	const char *s = scalar(c, k, v, "a port range", false);
	uint16_t lo, hi;

	if (!s)
		return -1;
	switch (cfgv_port_range(s, &lo, &hi)) {
	case CFGV_OK:
		break;
	case CFGV_RANGE:
		return cfg_fail(c, v->start_mark, "port range '%.80s' goes above 65535; hint: ports are 1024..65535, e.g. '%s: %s'",
			    s, c->leaf, k->example);
	case CFGV_ORDER:
		return cfg_fail(c, v->start_mark, "port range '%.80s' ends before it starts; hint: write the lower port first, e.g. '%s: %s'",
			    s, c->leaf, k->example);
	default:
		return cfg_fail(c, v->start_mark, "'%.80s' is not a port range; hint: write MIN-MAX, e.g. '%s: %s'",
			    s, c->leaf, k->example);
	}
	if (lo < 1024)
		return cfg_fail(c, v->start_mark, "port range '%.80s' starts below 1024; hint: ports 0-1023 are never allocated dynamically (RFC 4787 REQ-3); start at 1024 or above",
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
		return cfg_fail(c, v->start_mark, "%s must be %s or a list of %s, not a mapping; hint: write e.g. '%s: [%s]'",
			    c->key, what, noun, c->leaf, k->example);
	if (v->type == YAML_SCALAR_NODE && !cfg_is_null(v)) {
		s = scalar(c, k, v, what, false);
		return !s || fn(c, k, v, s, 0) ? -1 : 1;
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, n++) {
			yaml_node_t *item = cfg_node(c, *it);

			if (n == max)
				return cfg_fail(c, item->start_mark, "%s lists more than %d %s; hint: %s",
					    c->key, max, noun, k->hint);
			s = scalar(c, k, item, what, false);
			if (!s || fn(c, k, item, s, n))
				return -1;
		}
	}
	if (n == 0)
		return cfg_fail(c, v->start_mark, "%s lists no %s; hint: give at least one, e.g. '%s: [%s]'",
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
		return cfg_fail(c, item->start_mark, "interface name '%.80s' is %zu characters long; hint: Linux interface names have 1 to %d characters",
			    s, len, IF_NAMESIZE - 1);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strpbrk(s, "/: \t\r\n"))
		return cfg_fail(c, item->start_mark, "'%.80s' is not a valid interface name; hint: names cannot be '.' or '..' or contain '/', ':' or blanks",
			    s);
	for (int i = 0; i < idx; i++)
		if (strcmp(names[i], s) == 0)
			return cfg_fail(c, item->start_mark, "interface '%s' is listed twice in %s; hint: list each interface once",
				    s, c->key);
	memcpy(names[idx], s, len + 1);
	src[idx] = (struct src_item){ s, item->start_mark };
	return 0;
}

int cfgp_interfaces(struct ctx *c, const struct key *k, yaml_node_t *v)
{
	int n = each_item(c, k, v, CFG_MAX_IFACES, "an interface name", "interface names",
			  add_interface);

	if (n < 0)
		return -1;
	*(k->id == K_INSIDE ? &c->cfg->n_inside : &c->cfg->n_outside) = n;
	return 0;
}

struct cfg_range cfg_prefix_range(struct cfg_prefix p)
{
	return (struct cfg_range){ p.addr, p.addr | ~cfgv_mask(p.len) };
}

bool cfg_overlap(struct cfg_range a, struct cfg_range b)
{
	return a.first <= b.last && b.first <= a.last;
}

/* Reports a malformed CIDR; `example` is shown in the hint. */
static int bad_prefix(struct ctx *c, yaml_node_t *item, const char *s, enum cfgv_err e,
		      const struct cfg_prefix *fixed, const char *example)
{
	char a[CFGV_ADDR_STRLEN];

	if (e == CFGV_HOST_BITS)
		return cfg_fail(c, item->start_mark, "'%.80s' has host bits set; hint: use %s/%u", s,
			    cfgv_addr_str(fixed->addr, a), fixed->len);
	if (e == CFGV_RANGE)
		return cfg_fail(c, item->start_mark, "'%.80s' has a prefix length above 32; hint: IPv4 prefix lengths are 0..32, e.g. %s",
			    s, example);
	return cfg_fail(c, item->start_mark, "'%.80s' is not a CIDR prefix; hint: write ADDRESS/LENGTH, e.g. %s",
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
		if (cfg_overlap(cfg_prefix_range(p), cfg_prefix_range(c->cfg->prefixes[i])))
			return cfg_fail(c, item->start_mark, "subscriber prefixes %s and %.80s overlap; hint: list each address once; remove or merge one of them",
				    c->prefixes[i].text, s);
	c->cfg->prefixes[idx] = p;
	c->prefixes[idx] = (struct src_item){ s, item->start_mark };
	return 0;
}

int cfgp_prefixes(struct ctx *c, const struct key *k, yaml_node_t *v)
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
		r = cfg_prefix_range(p);
	} else {
		e = cfgv_range(s, &r);
		if (e == CFGV_ORDER)
			return cfg_fail(c, item->start_mark, "pool range '%.80s' ends before it starts; hint: write the lower address first",
				    s);
		if (e != CFGV_OK)
			return cfg_fail(c, item->start_mark, "'%.80s' is not an address, range or CIDR prefix; hint: write A.B.C.D, A.B.C.D-E.F.G.H or A.B.C.D/LEN, e.g. %s",
				    s, k->example);
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (cfg_overlap(r, reserved[i].r))
			return cfg_fail(c, item->start_mark, "pool entry '%.80s' includes %s; hint: the pool must hold public unicast addresses",
				    s, reserved[i].what);
	c->pool[idx] = (struct pool_item){ r, { s, item->start_mark } };
	return 0;
}

int cfgp_pool(struct ctx *c, const struct key *k, yaml_node_t *v)
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
		if (i > 0 && cfg_overlap(c->pool[i - 1].range, c->pool[i].range)) {
			const struct src_item *a = &c->pool[i - 1].src, *b = &c->pool[i].src;

			if (cfg_later(a->mark, b->mark)) {
				const struct src_item *t = a;

				a = b;
				b = t;
			}
			return cfg_fail(c, b->mark, "pool address ranges %.80s and %.80s overlap; hint: list each address once; merge or shrink one of them",
				    a->text, b->text);
		}
		cfg->pool[i] = c->pool[i].range;
		size += (uint64_t)c->pool[i].range.last - c->pool[i].range.first + 1;
	}
	if (size > POOL_MAX_ADDRESSES)
		return cfg_fail(c, v->start_mark, "pool has %llu addresses, more than %d; hint: each public address costs 768 KiB of dataplane memory; split into several instances",
			    (unsigned long long)size, POOL_MAX_ADDRESSES);
	cfg->n_pool = n;
	cfg->pool_size = (uint32_t)size;
	return 0;
}
