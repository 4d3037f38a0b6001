/* Attribution lookup over a log directory; see lookup.h and docs/LOGGING.md.
 *
 * Ownership of the (ip, port) in question is rebuilt from the records that
 * mention it, ordered by their own timestamps rather than by file order:
 * after an agent restart, events still in the ring buffer are written
 * after the new file's checkpoint although they happened before it.
 * Every interval that meets the query window names a candidate; more than
 * one distinct subscriber is AMBIGUOUS, never a guess.
 */
#include "lookup.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg_values.h"
#include "cgnat_blocks.h"
#include "evlog.h"
#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define EPOCHS_FILE "epochs.jsonl"

/* A record that mentions the queried port. */
struct rec {
	uint64_t time;
	uint64_t order;        /* file index << 32 | line number: ties keep file order */
	unsigned type;
	unsigned slot;         /* 0: port block; otherwise the session's IP protocol */
	uint32_t inside_ip;
	uint16_t inside_port;
	char *subscriber;
	char *line;
};

/* One ownership interval, closed: [from, to]. */
struct span {
	const struct rec *owner;
	uint64_t from, to;
	const char *open_line, *close_line;
	const char *source;
	/* deterministic answers own their strings: */
	char det_id[EVLOG_ID_MAX + 1];
	uint32_t det_ip;
};

struct ctx {
	const char *dir;
	const struct lookup_query *q;
	struct lookup_result *res;
	uint64_t lo, hi, now;

	struct rec *r;
	size_t nr, capr;
	struct span *s;
	size_t ns, caps;
	struct span before, after; /* nearest spans outside the window, for NO_MATCH */
	bool have_before, have_after;
	uint64_t coverage;         /* earliest time the records read speak for */
	char needle[CFGV_ADDR_STRLEN + 2]; /* "a.b.c.d" with its quotes */
	size_t needle_len;
};

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->error, sizeof(c->res->error), fmt, ap);
	va_end(ap);
	c->res->status = LOOKUP_ERROR;
	return -1;
}

static void evidence(struct ctx *c, const char *line)
{
	struct lookup_result *res = c->res;
	char *dup;

	if (!line || res->n_evidence >= LOOKUP_MAX_EVIDENCE)
		return;
	for (unsigned i = 0; i < res->n_evidence; i++)
		if (strcmp(res->evidence[i], line) == 0)
			return;
	dup = strdup(line);
	if (dup)
		res->evidence[res->n_evidence++] = dup;
}

static void note(struct ctx *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	evidence(c, buf);
}

static const char *ts(uint64_t t, char buf[TIMEFMT_RFC3339_SIZE])
{
	timefmt_rfc3339(t, buf);
	return buf;
}

static int add_span(struct ctx *c, const struct span *sp)
{
	if (c->ns == c->caps) {
		size_t cap = c->caps ? c->caps * 2 : 16;
		struct span *t = realloc(c->s, cap * sizeof(*t));

		if (!t)
			return fail(c, "out of memory; hint: narrow the query window");
		c->s = t;
		c->caps = cap;
	}
	c->s[c->ns++] = *sp;
	return 0;
}

/* Keep sp if it meets the window, else remember it as a neighbour. */
static int emit(struct ctx *c, const struct span *sp)
{
	if (sp->from <= c->hi && sp->to >= c->lo)
		return add_span(c, sp);
	if (sp->to < c->lo && (!c->have_before || sp->to >= c->before.to)) {
		c->before = *sp;
		c->have_before = true;
	} else if (sp->from > c->hi && (!c->have_after || sp->from < c->after.from)) {
		c->after = *sp;
		c->have_after = true;
	}
	return 0;
}

/* ---- deterministic mode ------------------------------------------------ */

struct epoch_rec {
	uint64_t time;
	size_t line_no;
	struct evlog_epoch e;
	char *line;
};

static int cmp_epoch(const void *a, const void *b)
{
	const struct epoch_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

static int cmp_u32_first(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The owner of (ip, port) under one epoch, with the arithmetic in words. */
static int det_answer(struct ctx *c, const struct epoch_rec *er, uint64_t to)
{
	const struct evlog_epoch *e = &er->e;
	struct cgnat_geometry g = { e->port_min, e->block_size, e->blocks_per_ip, 0 };
	char a[CFGV_ADDR_STRLEN], b[CFGV_ADDR_STRLEN], p[CFGV_ADDR_STRLEN];
	uint64_t ip_index = 0, subscribers = 0, k, before = 0;
	bool in_pool = false;
	long long block;
	struct span sp = { 0 };
	const char *id;

	evidence(c, er->line);
	cfgv_addr_str(c->q->ip, a);
	for (uint32_t i = 0; i < e->n_pool; i++) {
		if (c->q->ip >= e->pool[i].first && c->q->ip <= e->pool[i].last) {
			ip_index += c->q->ip - e->pool[i].first;
			in_pool = true;
			break;
		}
		ip_index += (uint64_t)e->pool[i].last - e->pool[i].first + 1;
	}
	for (uint32_t i = 0; i < e->n_pool; i++)
		g.n_pool += e->pool[i].last - e->pool[i].first + 1;
	for (uint32_t i = 0; i < e->n_prefixes; i++)
		subscribers += 1ULL << (32 - e->prefixes[i].len);
	if (!in_pool) {
		note(c, "epoch %u: %s is not in the pool", e->epoch, a);
		return 0;
	}
	if (!g.block_size || !g.blocks_per_ip) {
		note(c, "epoch %u: block_size or blocks_per_ip is 0; the record is unusable", e->epoch);
		return 0;
	}
	block = cgnat_block_of(&g, (uint32_t)ip_index, c->q->port);
	if (block < 0) {
		note(c, "epoch %u: %s is pool address #%llu; port %u is outside the subscriber ranges (%u-%u)",
		     e->epoch, a, (unsigned long long)ip_index, c->q->port, e->port_min,
		     e->port_min + e->blocks_per_ip * e->block_size - 1);
		return 0;
	}
	k = cgnat_det_subscriber(&g, (uint32_t)block);
	if (k >= subscribers) {
		note(c, "epoch %u: %s is pool address #%llu; port %u is in block %lld (ports %u-%u), subscriber index %llu, but the prefixes hold only %llu subscribers",
		     e->epoch, a, (unsigned long long)ip_index, c->q->port, block,
		     cgnat_block_first_port(&g, (uint32_t)block),
		     cgnat_block_first_port(&g, (uint32_t)block) + g.block_size - 1,
		     (unsigned long long)k, (unsigned long long)subscribers);
		return 0;
	}
	for (uint32_t i = 0; i < e->n_prefixes; i++) {
		uint64_t size = 1ULL << (32 - e->prefixes[i].len);

		if (k < before + size) {
			sp.det_ip = e->prefixes[i].addr + (uint32_t)(k - before);
			note(c, "epoch %u: %s is pool address #%llu; port %u is in block %lld (ports %u-%u); block %lld is subscriber index %llu = %s (%s/%u + %llu)",
			     e->epoch, a, (unsigned long long)ip_index, c->q->port, block,
			     cgnat_block_first_port(&g, (uint32_t)block),
			     cgnat_block_first_port(&g, (uint32_t)block) + g.block_size - 1, block,
			     (unsigned long long)k, cfgv_addr_str(sp.det_ip, b),
			     cfgv_addr_str(e->prefixes[i].addr, p), e->prefixes[i].len,
			     (unsigned long long)(k - before));
			break;
		}
		before += size;
	}
	id = c->q->subdb ? subdb_lookup(c->q->subdb, sp.det_ip) : NULL;
	snprintf(sp.det_id, sizeof(sp.det_id), "%s", id ? id : cfgv_addr_str(sp.det_ip, b));
	sp.from = er->time;
	sp.to = to;
	sp.source = "deterministic"; /* its evidence is already in (data is freed soon) */
	return add_span(c, &sp);
}

static void sort_epoch(struct evlog_epoch *e)
{
	/* Subscriber and pool indexes count in address order whatever the writer did. */
	qsort(e->pool, e->n_pool, sizeof(e->pool[0]), cmp_u32_first);
	qsort(e->prefixes, e->n_prefixes, sizeof(e->prefixes[0]), cmp_u32_first);
}

/* Answer from the deterministic epochs in force during the window. */
static int deterministic(struct ctx *c)
{
	struct evlog_file f = { .name = EPOCHS_FILE };
	struct epoch_rec *v = NULL;
	size_t n = 0, cap = 0, len, line_no = 0;
	char *data, *p, *nl;
	struct evlog_record rec;
	int rc = 0;

	if (evlog_read_file(c->dir, &f, &data, &len) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(c, "cannot read %s/%s: %s; hint: check the path and its permissions",
			    c->dir, EPOCHS_FILE, strerror(errno));
	}
	for (p = data; p < data + len; p = nl + 1, line_no++) {
		nl = memchr(p, '\n', (size_t)(data + len - p));
		if (!nl)
			nl = data + len;
		if (nl == p)
			continue;
		if (n == cap) {
			struct epoch_rec *t = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!t) {
				rc = fail(c, "out of memory; hint: check %s/%s", c->dir, EPOCHS_FILE);
				goto out;
			}
			v = t;
		}
		if (evlog_parse_line(p, (size_t)(nl - p), &rec, &v[n].e) < 0 ||
		    rec.type != EVLOG_EV_CONFIG_EPOCH) {
			c->res->bad_lines++;
			continue;
		}
		*nl = '\0';
		v[n].time = rec.time_ns;
		v[n].line_no = line_no;
		v[n].line = p;
		sort_epoch(&v[n].e);
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_epoch);
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint64_t next = i + 1 < n ? v[i + 1].time : LOOKUP_OPEN_END;

		/* An epoch of another mode ends the arithmetic; the logs speak then. */
		if (v[i].time > c->hi || next <= c->lo || next == v[i].time ||
		    strcmp(v[i].e.mode, "deterministic") != 0)
			continue;
		rc = det_answer(c, &v[i], next == LOOKUP_OPEN_END ? next : next - 1);
	}
out:
	free(v);
	free(data);
	return rc;
}

/* ---- pba and session mode ----------------------------------------------- */

struct file_info {
	bool begin_seen, complete;
	uint64_t begin;
};

static bool is_block(unsigned t)
{
	return t == CGNAT_EV_BLOCK_ALLOC || t == CGNAT_EV_BLOCK_RELEASE ||
	       t == CGNAT_EV_BLOCK_ACTIVE;
}

static bool is_session(unsigned t)
{
	return t == CGNAT_EV_SESSION_CREATE || t == CGNAT_EV_SESSION_DELETE ||
	       t == CGNAT_EV_SESSION_ACTIVE;
}

static bool relevant(const struct ctx *c, const struct evlog_record *r)
{
	if (r->outside_ip != c->q->ip)
		return false;
	if (is_block(r->type))
		return c->q->port >= r->outside_port && c->q->port <= r->outside_port_last;
	if (is_session(r->type))
		return c->q->port == r->outside_port && (!c->q->proto || c->q->proto == r->proto);
	return false;
}

static int keep(struct ctx *c, const struct evlog_record *r, const char *line, size_t len,
		uint64_t order)
{
	struct rec *x;

	if (c->nr == c->capr) {
		size_t cap = c->capr ? c->capr * 2 : 64;
		struct rec *t = realloc(c->r, cap * sizeof(*t));

		if (!t)
			return fail(c, "out of memory; hint: narrow the query window");
		c->r = t;
		c->capr = cap;
	}
	x = &c->r[c->nr];
	*x = (struct rec){ r->time_ns, order, r->type, is_block(r->type) ? 0 : r->proto,
			   r->inside_ip, is_block(r->type) ? 0 : r->inside_port, NULL, NULL };
	x->subscriber = strdup(r->subscriber);
	x->line = strndup(line, len);
	if (!x->subscriber || !x->line) {
		free(x->subscriber);
		free(x->line);
		return fail(c, "out of memory; hint: narrow the query window");
	}
	c->nr++;
	return 0;
}

static int scan_file(struct ctx *c, const struct evlog_file *f, size_t idx, struct file_info *fi)
{
	struct evlog_record rec;
	char *data, *p, *nl;
	size_t len;
	uint32_t line_no = 0;
	int rc = 0;

	if (evlog_read_file(c->dir, f, &data, &len) < 0)
		return fail(c, "cannot read %s/%s: %s; hint: %s", c->dir, f->name, strerror(errno),
			    errno == EBADMSG ? "the compressed file is damaged; restore it from a backup (gzip -t checks it)"
					     : "check the file's permissions");
	c->res->files_read++;
	for (p = data; p && p < data + len && rc == 0; p = nl + 1, line_no++) {
		nl = memchr(p, '\n', (size_t)(data + len - p));
		if (!nl) {
			c->res->bad_lines++; /* torn: the writer is mid-line or crashed */
			break;
		}
		if (nl == p)
			continue;
		/* Parsing is the cost of a lookup; most lines name another
		 * address. Skip those, still counting lines that cannot be whole. */
		if (!memmem(p, (size_t)(nl - p), c->needle, c->needle_len) &&
		    !memmem(p, (size_t)(nl - p), "checkpoint_", 11)) {
			if (*p != '{' || nl[-1] != '}')
				c->res->bad_lines++;
			continue;
		}
		if (evlog_parse_line(p, (size_t)(nl - p), &rec, NULL) < 0) {
			c->res->bad_lines++;
			continue;
		}
		if (rec.type == EVLOG_EV_CHECKPOINT_BEGIN && !fi->begin_seen) {
			fi->begin_seen = true;
			fi->begin = rec.time_ns;
		} else if (rec.type == EVLOG_EV_CHECKPOINT_END && fi->begin_seen) {
			fi->complete = true;
		} else if (relevant(c, &rec)) {
			rc = keep(c, &rec, p, (size_t)(nl - p), (uint64_t)idx << 32 | line_no);
		}
	}
	free(data);
	return rc;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool same_owner(const struct rec *a, const struct rec *b)
{
	return a->inside_ip == b->inside_ip && a->inside_port == b->inside_port;
}

/* Turn one slot's records (sorted by time) into ownership spans. */
static int sweep(struct ctx *c, const struct rec *r, size_t n)
{
	const char *source = r[0].slot ? "session" : "pba";
	struct span cur = { 0 };
	bool open = false;

	for (size_t i = 0; i < n; i++) {
		const struct rec *x = &r[i];
		bool same = open && same_owner(cur.owner, x);
		bool starts = x->type == CGNAT_EV_BLOCK_ALLOC || x->type == CGNAT_EV_SESSION_CREATE ||
			      x->type == CGNAT_EV_BLOCK_ACTIVE || x->type == CGNAT_EV_SESSION_ACTIVE;

		if (starts) {
			if (same)
				continue;
			if (open) { /* the previous owner's end was never logged */
				cur.to = x->time;
				cur.close_line = x->line;
				if (emit(c, &cur) < 0)
					return -1;
			}
			cur = (struct span){ .owner = x, .from = x->time, .open_line = x->line,
					     .source = source };
			open = true;
		} else if (same) {
			cur.to = x->time;
			cur.close_line = x->line;
			open = false;
			if (emit(c, &cur) < 0)
				return -1;
		} else {
			/* An end whose start is in no file read: owned since at
			 * least the start of what we read. Any open owner stays
			 * open, so a conflict surfaces as AMBIGUOUS. */
			struct span sp = { .owner = x, .to = x->time, .close_line = x->line,
					   .source = source };

			sp.from = c->coverage < x->time ? c->coverage : x->time;
			if (emit(c, &sp) < 0)
				return -1;
		}
	}
	if (open) {
		cur.to = LOOKUP_OPEN_END; /* no end in the files read */
		return emit(c, &cur);
	}
	return 0;
}

static uint64_t file_end(const struct ctx *c, const struct evlog_file *f, size_t n, size_t i)
{
	/* Names have whole seconds; a file really starts up to 1 s after its
	 * name says, so the previous file may run that much longer. */
	if (i + 1 < n)
		return f[i + 1].start_ns + NS;
	return c->now > f[i].start_ns + NS ? c->now : f[i].start_ns + NS;
}

static int from_logs(struct ctx *c)
{
	struct evlog_file *f;
	struct file_info *fi;
	size_t n, lo = 0, hi, first, last;
	char t1[TIMEFMT_RFC3339_SIZE], t2[TIMEFMT_RFC3339_SIZE];
	int rc = 0;

	if (evlog_list_files(c->dir, &f, &n) < 0)
		return fail(c, "cannot read log directory %s: %s; hint: check logging.directory in the config and the permissions",
			    c->dir, strerror(errno));
	if (n == 0) {
		if (!c->ns)
			note(c, "no log files in %s", c->dir);
		free(f);
		return 0;
	}
	/* First file whose span reaches the window start (spans only grow). */
	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (file_end(c, f, n, mid) < c->lo)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n || f[lo].start_ns > c->hi) {
		if (!c->ns)
			note(c, "the logs cover %s to %s; the query window is outside them",
			     ts(f[0].start_ns, t1), ts(file_end(c, f, n, n - 1), t2));
		free(f);
		return 0;
	}
	fi = calloc(n, sizeof(*fi));
	if (!fi) {
		free(f);
		return fail(c, "out of memory; hint: retry");
	}
	/* Walk back until a complete checkpoint taken no later than the window
	 * start gives the state there (or the logs begin). */
	first = lo;
	rc = scan_file(c, &f[first], first, &fi[first]);
	while (rc == 0 && first > 0 && !(fi[first].complete && fi[first].begin <= c->lo)) {
		first--;
		rc = scan_file(c, &f[first], first, &fi[first]);
	}
	for (last = lo; last + 1 < n && f[last + 1].start_ns <= c->hi; last++)
		;
	/* Events still in the ring buffer at a rotation, or during an agent
	 * restart, land in the next file with their own earlier time. */
	if (last + 1 < n)
		last++;
	for (size_t i = lo + 1; rc == 0 && i <= last; i++)
		rc = scan_file(c, &f[i], i, &fi[i]);
	c->coverage = fi[first].complete ? fi[first].begin : f[first].start_ns;
	if (rc == 0 && c->nr) {
		qsort(c->r, c->nr, sizeof(*c->r), cmp_rec);
		for (size_t i = 0, j; rc == 0 && i < c->nr; i = j) {
			for (j = i; j < c->nr && c->r[j].slot == c->r[i].slot; j++)
				;
			rc = sweep(c, c->r + i, j - i);
		}
	}
	free(fi);
	free(f);
	return rc;
}

/* ---- the answer ---------------------------------------------------------- */

static const char *span_id(const struct span *s)
{
	return s->owner ? s->owner->subscriber : s->det_id;
}

static uint32_t span_ip(const struct span *s)
{
	return s->owner ? s->owner->inside_ip : s->det_ip;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

static void answer(struct ctx *c)
{
	struct lookup_result *res = c->res;

	if (c->ns)
		qsort(c->s, c->ns, sizeof(*c->s), cmp_span);
	for (size_t i = 0; i < c->ns; i++) {
		const struct span *s = &c->s[i];
		struct lookup_owner *o = NULL;
		unsigned k;

		for (k = 0; k < res->n_owners; k++)
			if (res->owners[k].inside_ip == span_ip(s) &&
			    strcmp(res->owners[k].subscriber, span_id(s)) == 0)
				o = &res->owners[k];
		if (!o) {
			res->n_owners_total++;
			if (res->n_owners == LOOKUP_MAX_OWNERS)
				continue;
			o = &res->owners[res->n_owners++];
			snprintf(o->subscriber, sizeof(o->subscriber), "%s", span_id(s));
			o->inside_ip = span_ip(s);
			o->source = s->source;
			o->from_ns = s->from;
			o->to_ns = s->to;
		}
		if (s->from < o->from_ns)
			o->from_ns = s->from;
		if (s->to > o->to_ns)
			o->to_ns = s->to;
		/* The session's inside port is the one in use at the queried time. */
		if (s->owner && s->owner->slot && (o->inside_port == 0 ||
		    (s->from <= c->q->time_ns && s->to >= c->q->time_ns))) {
			o->inside_port = s->owner->inside_port;
			o->proto = (uint8_t)s->owner->slot;
		}
		evidence(c, s->open_line);
		evidence(c, s->close_line);
	}
	if (res->n_owners_total == 0) {
		res->status = LOOKUP_NO_MATCH;
		if (c->have_before) {
			evidence(c, c->before.open_line);
			evidence(c, c->before.close_line);
		}
		if (c->have_after)
			evidence(c, c->after.open_line);
	} else {
		res->status = res->n_owners_total == 1 ? LOOKUP_MATCH : LOOKUP_AMBIGUOUS;
	}
}

static uint64_t real_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
}

enum lookup_status lookup_run(const char *dir, const struct lookup_query *q,
			      struct lookup_result *res)
{
	struct ctx c = { .dir = dir, .q = q, .res = res };

	memset(res, 0, sizeof(*res));
	c.lo = q->time_ns > q->window_ns ? q->time_ns - q->window_ns : 0;
	c.hi = q->time_ns > UINT64_MAX - q->window_ns ? UINT64_MAX : q->time_ns + q->window_ns;
	c.now = q->now_ns ? q->now_ns : real_now();
	c.needle_len = (size_t)snprintf(c.needle, sizeof(c.needle), "\"%u.%u.%u.%u\"", q->ip >> 24,
				      (q->ip >> 16) & 255, (q->ip >> 8) & 255, q->ip & 255);
	/* Logs are read in deterministic mode too: they are small there (empty
	 * checkpoints), and a mode change without an epoch record then shows
	 * up as AMBIGUOUS instead of a wrong arithmetic answer. */
	if (deterministic(&c) == 0 && from_logs(&c) == 0)
		answer(&c);
	for (size_t i = 0; i < c.nr; i++) {
		free(c.r[i].subscriber);
		free(c.r[i].line);
	}
	free(c.r);
	free(c.s);
	return res->status;
}

void lookup_result_free(struct lookup_result *res)
{
	for (unsigned i = 0; i < res->n_evidence; i++)
		free(res->evidence[i]);
	res->n_evidence = 0;
}
