/* JSON lines of the attribution log; see evlog_format.h and docs/LOGGING.md.
 *
 * Formatting avoids printf: the agent formats every event the dataplane
 * emits, and the benchmark history generator formats tens of millions of
 * checkpoint lines. Parsing is a small strict JSON reader that knows our
 * fields and skips unknown ones, so newer writers stay readable.
 */
#include "evlog_format.h"

#include <arpa/inet.h>
#include <string.h>

#include "cfg_values.h"
#include "timefmt.h"

/* ---- names ------------------------------------------------------------ */

static const struct {
	unsigned type;
	const char *name;
} event_names[] = {
	{ CGNAT_EV_SESSION_CREATE, "session_create" },
	{ CGNAT_EV_SESSION_DELETE, "session_delete" },
	{ CGNAT_EV_BLOCK_ALLOC, "block_alloc" },
	{ CGNAT_EV_BLOCK_RELEASE, "block_release" },
	{ CGNAT_EV_QUOTA_EXCEEDED, "quota_exceeded" },
	{ CGNAT_EV_PORTS_EXHAUSTED, "ports_exhausted" },
	{ CGNAT_EV_ADDRESSES_EXHAUSTED, "addresses_exhausted" },
	{ CGNAT_EV_BLOCK_ACTIVE, "block_active" },
	{ CGNAT_EV_SESSION_ACTIVE, "session_active" },
	{ EVLOG_EV_CONFIG_EPOCH, "config_epoch" },
	{ EVLOG_EV_CHECKPOINT_BEGIN, "checkpoint_begin" },
	{ EVLOG_EV_CHECKPOINT_END, "checkpoint_end" },
};

const char *evlog_event_name(unsigned type)
{
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (event_names[i].type == type)
			return event_names[i].name;
	return NULL;
}

static bool is_session(unsigned t)
{
	return t == CGNAT_EV_SESSION_CREATE || t == CGNAT_EV_SESSION_DELETE ||
	       t == CGNAT_EV_SESSION_ACTIVE;
}

static bool is_block(unsigned t)
{
	return t == CGNAT_EV_BLOCK_ALLOC || t == CGNAT_EV_BLOCK_RELEASE ||
	       t == CGNAT_EV_BLOCK_ACTIVE;
}

static bool is_limit(unsigned t)
{
	return t == CGNAT_EV_QUOTA_EXCEEDED || t == CGNAT_EV_PORTS_EXHAUSTED ||
	       t == CGNAT_EV_ADDRESSES_EXHAUSTED;
}

/* ---- output ----------------------------------------------------------- */

struct out {
	char *p, *end;
	bool full;
};

/* Out of line: inlined into callers that pass literals of several lengths,
 * GCC's -O2 bounds analysis reports copies that cannot happen. */
static __attribute__((noinline)) void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->full || (size_t)(o->end - o->p) < n) {
		o->full = true;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

#define put_lit(o, s) put_mem(o, s, sizeof(s) - 1)

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_mem(o, tmp + sizeof(tmp) - n, (size_t)n);
}

static void put_ip(struct out *o, uint32_t host)
{
	for (int i = 3; i >= 0; i--) {
		put_u64(o, (host >> (8 * i)) & 0xff);
		if (i)
			put_lit(o, ".");
	}
}

static void put_time(struct out *o, uint64_t utc_ns)
{
	char t[TIMEFMT_RFC3339_SIZE];

	put_mem(o, t, timefmt_rfc3339(utc_ns, t));
}

/* A JSON string of at most max bytes of s. */
static void put_str(struct out *o, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	put_lit(o, "\"");
	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			put_mem(o, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put_mem(o, e, 6);
		} else {
			put_mem(o, (const char *)&c, 1);
		}
	}
	put_lit(o, "\"");
}

static void put_proto(struct out *o, uint8_t proto)
{
	switch (proto) {
	case 6:
		put_lit(o, "\"tcp\"");
		break;
	case 17:
		put_lit(o, "\"udp\"");
		break;
	case 1:
		put_lit(o, "\"icmp\"");
		break;
	default:
		put_lit(o, "\"");
		put_u64(o, proto);
		put_lit(o, "\"");
	}
}

static int finish(struct out *o, char *start)
{
	put_lit(o, "}\n");
	return o->full ? -1 : (int)(o->p - start);
}

static void put_head(struct out *o, uint64_t seq, uint64_t utc_ns, unsigned type)
{
	put_lit(o, "{");
	if (seq) {
		put_lit(o, "\"seq\":");
		put_u64(o, seq);
		put_lit(o, ",");
	}
	put_lit(o, "\"time\":\"");
	put_time(o, utc_ns);
	put_lit(o, "\",\"event\":\"");
	put_mem(o, evlog_event_name(type), strlen(evlog_event_name(type)));
	put_lit(o, "\"");
}

int evlog_format_event(char *buf, size_t size, const struct cgnat_event *ev, uint64_t utc_ns,
		       const char *subscriber, bool log_destinations)
{
	struct out o = { buf, buf + size, false };
	unsigned t = ev->type;
	uint32_t inside = ntohl(ev->inside_ip), outside = ntohl(ev->outside_ip);
	bool who = !is_limit(t) || inside != 0;
	char addr[CFGV_ADDR_STRLEN];

	if (!is_session(t) && !is_block(t) && !is_limit(t))
		return -1;
	put_head(&o, ev->seq, utc_ns, t);
	if (t != CGNAT_EV_BLOCK_ACTIVE && t != CGNAT_EV_SESSION_ACTIVE) {
		put_lit(&o, ",\"nat_event\":");
		put_u64(&o, t);
	}
	if (is_session(t) || (is_limit(t) && ev->proto)) {
		put_lit(&o, ",\"proto\":");
		put_proto(&o, ev->proto);
	}
	if (who) {
		put_lit(&o, ",\"subscriber\":");
		put_str(&o, subscriber ? subscriber : cfgv_addr_str(inside, addr), EVLOG_ID_MAX);
		put_lit(&o, ",\"inside_ip\":\"");
		put_ip(&o, inside);
		put_lit(&o, "\"");
	}
	if (is_session(t)) {
		put_lit(&o, ",\"inside_port\":");
		put_u64(&o, ntohs(ev->inside_port));
	}
	if (!is_limit(t) || outside != 0) {
		put_lit(&o, ",\"outside_ip\":\"");
		put_ip(&o, outside);
		put_lit(&o, "\"");
	}
	if (is_session(t)) {
		put_lit(&o, ",\"outside_port\":");
		put_u64(&o, ntohs(ev->outside_port));
	} else if (is_block(t)) {
		put_lit(&o, ",\"outside_port_first\":");
		put_u64(&o, ntohs(ev->outside_port));
		put_lit(&o, ",\"outside_port_last\":");
		put_u64(&o, ntohs(ev->outside_port_last));
	}
	if (log_destinations && ev->remote_ip) {
		put_lit(&o, ",\"dest_ip\":\"");
		put_ip(&o, ntohl(ev->remote_ip));
		put_lit(&o, "\",\"dest_port\":");
		put_u64(&o, ntohs(ev->remote_port));
	}
	return finish(&o, buf);
}

int evlog_format_marker(char *buf, size_t size, unsigned type, uint64_t utc_ns,
			uint64_t records)
{
	struct out o = { buf, buf + size, false };

	if (type != EVLOG_EV_CHECKPOINT_BEGIN && type != EVLOG_EV_CHECKPOINT_END)
		return -1;
	put_head(&o, 0, utc_ns, type);
	if (type == EVLOG_EV_CHECKPOINT_END) {
		put_lit(&o, ",\"records\":");
		put_u64(&o, records);
	}
	return finish(&o, buf);
}

int evlog_format_epoch(char *buf, size_t size, const struct evlog_epoch *e, uint64_t utc_ns)
{
	struct out o = { buf, buf + size, false };

	if (e->n_pool > EVLOG_EPOCH_MAX || e->n_prefixes > EVLOG_EPOCH_MAX)
		return -1;
	put_head(&o, 0, utc_ns, EVLOG_EV_CONFIG_EPOCH);
	put_lit(&o, ",\"epoch\":");
	put_u64(&o, e->epoch);
	put_lit(&o, ",\"mode\":");
	put_str(&o, e->mode, sizeof(e->mode) - 1);
	put_lit(&o, ",\"port_min\":");
	put_u64(&o, e->port_min);
	put_lit(&o, ",\"port_max\":");
	put_u64(&o, e->port_max);
	put_lit(&o, ",\"block_size\":");
	put_u64(&o, e->block_size);
	put_lit(&o, ",\"blocks_per_ip\":");
	put_u64(&o, e->blocks_per_ip);
	put_lit(&o, ",\"pool\":[");
	for (uint32_t i = 0; i < e->n_pool; i++) {
		if (i)
			put_lit(&o, ",");
		put_lit(&o, "\"");
		put_ip(&o, e->pool[i].first);
		put_lit(&o, "-");
		put_ip(&o, e->pool[i].last);
		put_lit(&o, "\"");
	}
	put_lit(&o, "],\"prefixes\":[");
	for (uint32_t i = 0; i < e->n_prefixes; i++) {
		if (i)
			put_lit(&o, ",");
		put_lit(&o, "\"");
		put_ip(&o, e->prefixes[i].addr);
		put_lit(&o, "/");
		put_u64(&o, e->prefixes[i].len);
		put_lit(&o, "\"");
	}
	put_lit(&o, "]");
	return finish(&o, buf);
}

/* ---- parsing ---------------------------------------------------------- */

struct in {
	const char *p, *end;
};

static void skip_ws(struct in *in)
{
	while (in->p < in->end &&
	       (*in->p == ' ' || *in->p == '\t' || *in->p == '\r' || *in->p == '\n'))
		in->p++;
}

static bool eat(struct in *in, char c)
{
	skip_ws(in);
	if (in->p < in->end && *in->p == c) {
		in->p++;
		return true;
	}
	return false;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Append code point cp as UTF-8. */
static int put_utf8(char *out, size_t cap, size_t *n, unsigned cp)
{
	char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k >= cap)
		return -1;
	memcpy(out + *n, b, k);
	*n += k;
	return 0;
}

static int escape(struct in *in, char *out, size_t cap, size_t *n)
{
	char c;
	unsigned cp, lo;

	if (in->end - in->p < 1)
		return -1;
	c = *in->p++;
	switch (c) {
	case '"': case '\\': case '/':
		break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'u':
		if (in->end - in->p < 4 || hex4(in->p, &cp) < 0)
			return -1;
		in->p += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -1;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (in->end - in->p < 6 || in->p[0] != '\\' || in->p[1] != 'u' ||
			    hex4(in->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				return -1;
			in->p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp == 0)
			return -1; /* would cut the C string short */
		return put_utf8(out, cap, n, cp);
	default:
		return -1;
	}
	if (*n + 1 >= cap)
		return -1;
	out[(*n)++] = c;
	return 0;
}

/* A JSON string into out (NUL-terminated, at most cap - 1 bytes); with
 * out NULL the string is only checked, whatever its length. */
static int get_str(struct in *in, char *out, size_t cap)
{
	char sink[8];
	bool keep = out != NULL;
	size_t n = 0;

	if (!keep) {
		out = sink;
		cap = sizeof(sink);
	}
	if (!eat(in, '"'))
		return -1;
	while (in->p < in->end) {
		unsigned char c = (unsigned char)*in->p++;

		if (!keep)
			n = 0;
		if (c == '"') {
			out[n] = '\0';
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (escape(in, out, cap, &n) < 0)
				return -1;
			continue;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)c;
	}
	return -1;
}

/* A non-negative JSON integer no larger than max. */
static int get_uint(struct in *in, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;
	const char *start;

	skip_ws(in);
	start = in->p;
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		unsigned d = (unsigned)(*in->p++ - '0');

		if (n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	if (in->p == start || (in->p - start > 1 && *start == '0'))
		return -1;
	if (in->p < in->end && (*in->p == '.' || *in->p == 'e' || *in->p == 'E'))
		return -1;
	*v = n;
	return 0;
}

static int skip_value(struct in *in, int depth);

static int skip_number(struct in *in)
{
	const char *start = in->p;

	if (in->p < in->end && *in->p == '-')
		in->p++;
	while (in->p < in->end && strchr("0123456789.eE+-", *in->p))
		in->p++;
	return in->p > start ? 0 : -1;
}

static int skip_word(struct in *in, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, w, n) != 0)
		return -1;
	in->p += n;
	return 0;
}

static int skip_container(struct in *in, char close, int depth)
{
	if (eat(in, close))
		return 0;
	do {
		if (close == '}' && (get_str(in, NULL, 0) < 0 || !eat(in, ':')))
			return -1;
		if (skip_value(in, depth + 1) < 0)
			return -1;
	} while (eat(in, ','));
	return eat(in, close) ? 0 : -1;
}

static int skip_value(struct in *in, int depth)
{
	if (depth > 16)
		return -1;
	skip_ws(in);
	if (in->p >= in->end)
		return -1;
	switch (*in->p) {
	case '"':
		return get_str(in, NULL, 0);
	case '{':
		in->p++;
		return skip_container(in, '}', depth);
	case '[':
		in->p++;
		return skip_container(in, ']', depth);
	case 't':
		return skip_word(in, "true");
	case 'f':
		return skip_word(in, "false");
	case 'n':
		return skip_word(in, "null");
	default:
		return skip_number(in);
	}
}

static int get_ip(struct in *in, uint32_t *ip)
{
	char s[32];
	const char *end;

	if (get_str(in, s, sizeof(s)) < 0 || !cfgv_ipv4(s, &end, ip) || *end)
		return -1;
	return 0;
}

static int get_port(struct in *in, uint16_t *port)
{
	uint64_t v;

	if (get_uint(in, 65535, &v) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int get_u32(struct in *in, uint32_t *out)
{
	uint64_t v;

	if (get_uint(in, UINT32_MAX, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int get_proto(struct in *in, uint8_t *proto)
{
	char s[8];
	unsigned v = 0;

	if (get_str(in, s, sizeof(s)) < 0)
		return -1;
	if (strcmp(s, "tcp") == 0)
		v = 6;
	else if (strcmp(s, "udp") == 0)
		v = 17;
	else if (strcmp(s, "icmp") == 0)
		v = 1;
	else if (s[0] >= '1' && s[0] <= '9' && strlen(s) <= 3)
		for (const char *p = s; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v = v * 10 + (unsigned)(*p - '0');
		}
	if (v == 0 || v > 255)
		return -1;
	*proto = (uint8_t)v;
	return 0;
}

static int get_event(struct in *in, unsigned *type)
{
	char s[32];

	if (get_str(in, s, sizeof(s)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (strcmp(s, event_names[i].name) == 0) {
			*type = event_names[i].type;
			return 0;
		}
	return -1;
}

static int get_time(struct in *in, uint64_t *t)
{
	char s[64];
	const char *why;

	if (get_str(in, s, sizeof(s)) < 0)
		return -1;
	return timefmt_parse(s, t, &why);
}

/* Array of strings, each handed to one(). */
static int get_array(struct in *in, struct evlog_epoch *e, uint32_t *n,
		     int (*one)(struct evlog_epoch *, uint32_t, const char *))
{
	char s[64];

	*n = 0;
	if (!eat(in, '['))
		return -1;
	if (eat(in, ']'))
		return 0;
	do {
		if (*n >= EVLOG_EPOCH_MAX || get_str(in, s, sizeof(s)) < 0 || one(e, *n, s) < 0)
			return -1;
		(*n)++;
	} while (eat(in, ','));
	return eat(in, ']') ? 0 : -1;
}

static int one_range(struct evlog_epoch *e, uint32_t i, const char *s)
{
	struct cfg_range r;

	if (cfgv_range(s, &r) != CFGV_OK)
		return -1;
	e->pool[i].first = r.first;
	e->pool[i].last = r.last;
	return 0;
}

static int one_prefix(struct evlog_epoch *e, uint32_t i, const char *s)
{
	struct cfg_prefix p;

	if (cfgv_prefix(s, &p) != CFGV_OK)
		return -1;
	e->prefixes[i].addr = p.addr;
	e->prefixes[i].len = p.len;
	return 0;
}

/* Fields seen; the public enum evlog_field bits plus these. */
enum {
	SEEN_TIME = 1 << 16,
	SEEN_EVENT = 1 << 17,
	SEEN_PORT_FIRST = 1 << 18,
	SEEN_DEST_IP = 1 << 19,
	SEEN_DEST_PORT = 1 << 20,
	SEEN_EPOCH_ALL = 1 << 21, /* first of 8 epoch bits */
};

static const char *const epoch_keys[] = {
	"epoch", "mode", "port_min", "port_max", "block_size", "blocks_per_ip", "pool", "prefixes",
};
#define N_EPOCH_KEYS (sizeof(epoch_keys) / sizeof(epoch_keys[0]))
#define EPOCH_BITS (((1u << N_EPOCH_KEYS) - 1) * SEEN_EPOCH_ALL)

static int epoch_field(struct in *in, unsigned k, struct evlog_epoch *e)
{
	switch (k) {
	case 0: return get_u32(in, &e->epoch);
	case 1: return get_str(in, e->mode, sizeof(e->mode));
	case 2: return get_u32(in, &e->port_min);
	case 3: return get_u32(in, &e->port_max);
	case 4: return get_u32(in, &e->block_size);
	case 5: return get_u32(in, &e->blocks_per_ip);
	case 6: return get_array(in, e, &e->n_pool, one_range);
	default: return get_array(in, e, &e->n_prefixes, one_prefix);
	}
}

static int field(struct in *in, const char *key, struct evlog_record *r, unsigned *seen,
		 unsigned *nat_event, struct evlog_epoch *e)
{
	uint64_t v;
	unsigned bit;
	int rc;

	if (strcmp(key, "seq") == 0) {
		bit = EVLOG_F_SEQ;
		rc = get_uint(in, UINT64_MAX, &r->seq);
	} else if (strcmp(key, "time") == 0) {
		bit = SEEN_TIME;
		rc = get_time(in, &r->time_ns);
	} else if (strcmp(key, "event") == 0) {
		bit = SEEN_EVENT;
		rc = get_event(in, &r->type);
	} else if (strcmp(key, "nat_event") == 0) {
		bit = EVLOG_F_NAT_EVENT;
		rc = get_uint(in, 255, &v);
		*nat_event = (unsigned)v;
	} else if (strcmp(key, "proto") == 0) {
		bit = EVLOG_F_PROTO;
		rc = get_proto(in, &r->proto);
	} else if (strcmp(key, "subscriber") == 0) {
		bit = EVLOG_F_SUBSCRIBER;
		rc = get_str(in, r->subscriber, sizeof(r->subscriber));
	} else if (strcmp(key, "inside_ip") == 0) {
		bit = EVLOG_F_INSIDE_IP;
		rc = get_ip(in, &r->inside_ip);
	} else if (strcmp(key, "inside_port") == 0) {
		bit = EVLOG_F_INSIDE_PORT;
		rc = get_port(in, &r->inside_port);
	} else if (strcmp(key, "outside_ip") == 0) {
		bit = EVLOG_F_OUTSIDE_IP;
		rc = get_ip(in, &r->outside_ip);
	} else if (strcmp(key, "outside_port") == 0) {
		bit = EVLOG_F_OUTSIDE_PORT;
		rc = get_port(in, &r->outside_port);
	} else if (strcmp(key, "outside_port_first") == 0) {
		bit = SEEN_PORT_FIRST;
		rc = get_port(in, &r->outside_port);
	} else if (strcmp(key, "outside_port_last") == 0) {
		bit = EVLOG_F_PORT_LAST;
		rc = get_port(in, &r->outside_port_last);
	} else if (strcmp(key, "dest_ip") == 0) {
		bit = SEEN_DEST_IP;
		rc = get_ip(in, &r->dest_ip);
	} else if (strcmp(key, "dest_port") == 0) {
		bit = SEEN_DEST_PORT;
		rc = get_port(in, &r->dest_port);
	} else if (strcmp(key, "records") == 0) {
		bit = EVLOG_F_RECORDS;
		rc = get_uint(in, UINT64_MAX, &r->records);
	} else {
		for (unsigned k = 0; k < N_EPOCH_KEYS; k++)
			if (strcmp(key, epoch_keys[k]) == 0) {
				bit = SEEN_EPOCH_ALL << k;
				if (*seen & bit)
					return -1;
				*seen |= bit;
				return epoch_field(in, k, e);
			}
		return skip_value(in, 0); /* a field from a newer writer */
	}
	if (*seen & bit)
		return -1; /* duplicate key */
	*seen |= bit;
	return rc;
}

static bool complete(struct evlog_record *r, unsigned seen, unsigned nat_event)
{
	unsigned need = SEEN_TIME | SEEN_EVENT;
	bool dest_ip = seen & SEEN_DEST_IP, dest_port = seen & SEEN_DEST_PORT;

	if (is_session(r->type))
		need |= EVLOG_F_PROTO | EVLOG_F_SUBSCRIBER | EVLOG_F_INSIDE_IP |
			EVLOG_F_INSIDE_PORT | EVLOG_F_OUTSIDE_IP | EVLOG_F_OUTSIDE_PORT;
	else if (is_block(r->type))
		need |= EVLOG_F_SUBSCRIBER | EVLOG_F_INSIDE_IP | EVLOG_F_OUTSIDE_IP |
			SEEN_PORT_FIRST | EVLOG_F_PORT_LAST;
	else if (r->type == EVLOG_EV_CONFIG_EPOCH)
		need |= EPOCH_BITS;
	if ((seen & need) != need)
		return false;
	if (is_session(r->type) && (seen & (SEEN_PORT_FIRST | EVLOG_F_PORT_LAST)))
		return false;
	if (is_block(r->type) && (seen & EVLOG_F_OUTSIDE_PORT))
		return false;
	if (dest_ip != dest_port)
		return false;
	if ((seen & EVLOG_F_NAT_EVENT) && nat_event != r->type)
		return false;
	if (is_block(r->type) && r->outside_port > r->outside_port_last)
		return false;
	if (is_session(r->type))
		r->outside_port_last = r->outside_port;
	if (seen & SEEN_PORT_FIRST)
		r->fields |= EVLOG_F_OUTSIDE_PORT;
	if (seen & SEEN_DEST_IP)
		r->fields |= EVLOG_F_DEST;
	r->fields |= seen & (EVLOG_F_SEQ | EVLOG_F_NAT_EVENT | EVLOG_F_PROTO | EVLOG_F_SUBSCRIBER |
			     EVLOG_F_INSIDE_IP | EVLOG_F_INSIDE_PORT | EVLOG_F_OUTSIDE_IP |
			     EVLOG_F_OUTSIDE_PORT | EVLOG_F_PORT_LAST | EVLOG_F_RECORDS);
	return true;
}

int evlog_parse_line(const char *line, size_t len, struct evlog_record *rec,
		     struct evlog_epoch *epoch)
{
	struct in in = { line, line + len };
	struct evlog_epoch scratch;
	struct evlog_epoch *e = epoch ? epoch : &scratch;
	unsigned seen = 0, nat_event = 0;
	char key[64];

	memset(rec, 0, sizeof(*rec));
	e->n_pool = e->n_prefixes = 0;
	if (len > 65536 || !eat(&in, '{'))
		return -1;
	if (eat(&in, '}'))
		return -1;
	do {
		if (get_str(&in, key, sizeof(key)) < 0 || !eat(&in, ':') ||
		    field(&in, key, rec, &seen, &nat_event, e) < 0)
			return -1;
	} while (eat(&in, ','));
	if (!eat(&in, '}'))
		return -1;
	skip_ws(&in);
	if (in.p != in.end || !complete(rec, seen, nat_event))
		return -1;
	return 0;
}
