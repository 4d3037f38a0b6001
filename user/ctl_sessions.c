/* cgnatctl sessions and subscriber. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgnat_blocks.h"
#include "ctl.h"
#include "gc.h"
#include "jsonw.h"
#include "mapwalk.h"
#include "session_table.h"
#include "subdb.h"

struct session_filter {
	uint32_t inside_ip;  /* network order, 0 = any */
	uint32_t public_ip;  /* network order, 0 = any */
	int public_port;     /* -1 = any */
	int slot;            /* -1 = any */
	uint64_t limit;
};

static const char *tcp_state_name(uint8_t s)
{
	static const char *const names[] = { "closed", "syn-out", "syn-in", "established",
					     "fin-out", "fin-in", "fin-both", "rst" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int matches(const struct session_filter *f, const struct cgnat_mapping_key *k,
		   const struct cgnat_mapping *m)
{
	if (f->inside_ip && k->inside_ip != f->inside_ip)
		return 0;
	if (f->public_ip && m->outside_ip != f->public_ip)
		return 0;
	if (f->public_port >= 0 && ntohs(m->outside_port) != f->public_port)
		return 0;
	return f->slot < 0 || k->proto == f->slot;
}

static void print_session(struct ctl *c, struct jsonw *w, const struct cgnat_mapping_key *k,
			  const struct cgnat_mapping *m, uint32_t now)
{
	char in[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], a[32], b[32];
	uint32_t idle = now - m->last_seen;
	uint32_t timeout = cgnat_mapping_timeout(&c->pin.cfg, k->proto, m->tcp_state);
	long left = (long)timeout - (long)idle;

	inet_ntop(AF_INET, &k->inside_ip, in, sizeof(in));
	inet_ntop(AF_INET, &m->outside_ip, out, sizeof(out));
	inet_ntop(AF_INET, &m->remote_ip, dst, sizeof(dst));
	if (left < 0)
		left = 0;
	if (c->json) {
		jw_obj_begin(w);
		jw_kstr(w, "proto", ctl_proto_name(k->proto));
		jw_kstr(w, "inside_ip", in);
		jw_ku64(w, "inside_port", ntohs(k->inside_port));
		jw_kstr(w, "outside_ip", out);
		jw_ku64(w, "outside_port", ntohs(m->outside_port));
		if (k->proto == CGNAT_P_TCP)
			jw_kstr(w, "tcp_state", tcp_state_name(m->tcp_state));
		jw_ku64(w, "idle_seconds", idle);
		jw_ku64(w, "expires_in", (uint64_t)left);
		if (c->pin.cfg.flags & CGNAT_CF_ADDRESS_DEPENDENT_FILTER)
			jw_kstr(w, "first_destination", dst);
		jw_obj_end(w);
		return;
	}
	snprintf(a, sizeof(a), "%s:%u", in, ntohs(k->inside_port));
	snprintf(b, sizeof(b), "%s:%u", out, ntohs(m->outside_port));
	printf("%-5s %-21s %-21s %-12s %6u %8ld\n", ctl_proto_name(k->proto), a, b,
	       k->proto == CGNAT_P_TCP ? tcp_state_name(m->tcp_state) : "-", idle, left);
}

struct sessions_shown {
	struct ctl *c;
	const struct session_filter *f;
	struct jsonw *w;
	uint32_t now;
	uint64_t matched, shown;
};

static int session_step(void *arg, const struct cgnat_mapping_key *k,
			const struct cgnat_mapping *v)
{
	struct sessions_shown *sw = arg;

	if (!matches(sw->f, k, v))
		return 0;
	sw->matched++;
	if (sw->shown < sw->f->limit) {
		print_session(sw->c, sw->w, k, v, sw->now);
		sw->shown++;
	}
	return 0;
}

/* Every mapping, filtered; returns the number matched. */
static uint64_t walk(struct ctl *c, const struct session_filter *f, struct jsonw *w,
		     uint64_t *shown)
{
	struct sessions_shown sw = { .c = c, .f = f, .w = w, .now = gc_now() };

	session_table_walk_all(&c->pin.sessions, session_step, &sw);
	*shown = sw.shown;
	return sw.matched;
}

static void header(void)
{
	printf("%-5s %-21s %-21s %-12s %6s %8s\n", "PROTO", "INSIDE", "OUTSIDE", "STATE", "IDLE",
	       "EXPIRES");
}

int ctl_sessions(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subscriber", required_argument, NULL, 's' },
		{ "public", required_argument, NULL, 'p' },
		{ "proto", required_argument, NULL, 'P' },
		{ "limit", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct session_filter f = { .public_port = -1, .slot = -1, .limit = 1000 };
	uint64_t matched, shown;
	struct jsonw w;
	int o, port;

	optind = 0; /* 0, not 1: also resets the "+" mode main used */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (ctl_parse_endpoint(optarg, &f.inside_ip, NULL))
				goto usage;
			break;
		case 'p':
			if (ctl_parse_endpoint(optarg, &f.public_ip, &port))
				goto usage;
			f.public_port = port;
			break;
		case 'P':
			f.slot = ctl_proto_slot(optarg);
			if (f.slot < 0)
				goto usage;
			break;
		case 'l':
			f.limit = strtoull(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (ctl_need_dataplane(c))
		return CTL_ERROR;
	if (c->json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w);
		jw_key(&w, "sessions");
		jw_arr_begin(&w);
		matched = walk(c, &f, &w, &shown);
		jw_arr_end(&w);
		jw_ku64(&w, "matched", matched);
		jw_ku64(&w, "shown", shown);
		jw_obj_end(&w);
		return CTL_OK;
	}
	header();
	matched = walk(c, &f, &w, &shown);
	printf("%llu sessions%s\n", (unsigned long long)matched,
	       shown < matched ? " (use --limit N to show more)" : "");
	return CTL_OK;
usage:
	fprintf(stderr, "usage: cgnatctl sessions [--subscriber INSIDE_IP] [--public IP[:PORT]] "
			"[--proto tcp|udp|icmp] [--limit N]\n");
	return CTL_USAGE;
}

/* One subscriber address: its paired public address, blocks and sessions. */
static void show_subscriber(struct ctl *c, uint32_t inside_ip, struct jsonw *w)
{
	struct session_filter f = { .inside_ip = inside_ip, .public_port = -1, .slot = -1,
				    .limit = 100000 };
	struct cgnat_geometry g;
	struct cgnat_subscriber sub;
	char ip[INET_ADDRSTRLEN], pub[INET_ADDRSTRLEN] = "-";
	uint64_t matched, shown, used_total = 0;
	int i, have;

	g.port_min = c->pin.cfg.port_min;
	g.block_size = c->pin.cfg.block_size;
	g.blocks_per_ip = c->pin.cfg.blocks_per_ip;
	g.n_pool = c->pin.cfg.n_pool;
	have = bpf_map_lookup_elem(c->pin.subscribers, &f.inside_ip, &sub) == 0;
	inet_ntop(AF_INET, &f.inside_ip, ip, sizeof(ip));
	if (have && sub.ip_index_plus1 && sub.ip_index_plus1 <= c->pin.n_pool)
		inet_ntop(AF_INET, &c->pin.pool[sub.ip_index_plus1 - 1], pub, sizeof(pub));

	if (c->json) {
		jw_obj_begin(w);
		jw_kstr(w, "inside_ip", ip);
		jw_kbool(w, "active", have);
		jw_kstr(w, "public_ip", pub);
		jw_ku64(w, "sessions_counted", have ? sub.sessions : 0);
		jw_key(w, "blocks");
		jw_arr_begin(w);
	} else {
		printf("subscriber   %s%s\n", ip, have ? "" : " (no state in the dataplane)");
		printf("public ip    %s\n", pub);
		printf("blocks      ");
	}
	for (i = 0; have && i < CGNAT_MAX_BLOCKS_PER_SUB; i++) {
		uint32_t b = sub.blocks[i], first;
		uint64_t word;

		if (!b || b - 1 >= c->pin.n_blocks)
			continue;
		b--;
		word = __atomic_load_n(&c->pin.blocks[b], __ATOMIC_RELAXED);
		if (CGNAT_BLOCK_OWNER(word) != f.inside_ip)
			continue;
		first = cgnat_block_first_port(&g, b);
		used_total += CGNAT_BLOCK_USED(word);
		inet_ntop(AF_INET, &c->pin.pool[cgnat_block_ip_index(&g, b)], pub, sizeof(pub));
		if (c->json) {
			jw_obj_begin(w);
			jw_kstr(w, "public_ip", pub);
			jw_ku64(w, "port_first", first);
			jw_ku64(w, "port_last", first + g.block_size - 1);
			jw_ku64(w, "ports_used", CGNAT_BLOCK_USED(word));
			jw_obj_end(w);
		} else {
			printf(" %s:%u-%u (%u in use)", pub, first, first + g.block_size - 1,
			       CGNAT_BLOCK_USED(word));
		}
	}
	if (c->json) {
		jw_arr_end(w);
		jw_ku64(w, "ports_used", used_total);
		jw_key(w, "sessions");
		jw_arr_begin(w);
		matched = walk(c, &f, w, &shown);
		jw_arr_end(w);
		jw_obj_end(w);
		return;
	}
	printf("\nports used   %llu (tcp+udp+icmp, including ports on hold)\n",
	       (unsigned long long)used_total);
	printf("\n");
	header();
	matched = walk(c, &f, w, &shown);
	printf("%llu sessions\n", (unsigned long long)matched);
}

struct id_walk {
	const struct subdb *db;
	const char *id;
	uint32_t prefix;  /* host order */
	uint8_t len;
	uint32_t *out;
	size_t n, max;
};

static int id_step(void *arg, const void *k, const void *v)
{
	struct id_walk *iw = arg;
	uint32_t ip = ntohl(*(const uint32_t *)k);
	const char *who = subdb_lookup(iw->db, ip);

	(void)v;
	if (who && !strcmp(who, iw->id) && (ip & ~(0xffffffffu >> iw->len)) == iw->prefix)
		iw->out[iw->n++] = htonl(ip);
	return iw->n == iw->max;
}

/* Addresses a subscriber id names in the database: its single addresses,
 * and the active subscribers inside its prefixes that no longer prefix
 * names otherwise. */
static size_t addresses_of(struct ctl *c, const struct subdb *db, const char *id,
			   uint32_t *out, size_t max)
{
	struct id_walk iw = { .db = db, .id = id, .out = out, .max = max };
	size_t nth;

	for (nth = 0; iw.n < max && subdb_find_id(db, id, nth, &iw.prefix, &iw.len) == 0; nth++) {
		if (iw.len == 32)
			out[iw.n++] = htonl(iw.prefix);
		else
			map_walk(c->pin.subscribers, sizeof(uint32_t), sizeof(struct cgnat_subscriber),
				 id_step, &iw);
	}
	return iw.n;
}

int ctl_subscriber(struct ctl *c, int argc, char **argv)
{
	uint32_t ip, found[256];
	struct subdb *db;
	struct jsonw w;
	char err[512];
	size_t n, i;

	if (argc != 2) {
		fprintf(stderr, "usage: cgnatctl subscriber INSIDE_IP|SUBSCRIBER_ID\n");
		return CTL_USAGE;
	}
	if (ctl_need_dataplane(c))
		return CTL_ERROR;
	jw_init(&w, stdout);
	if (ctl_parse_endpoint(argv[1], &ip, NULL) == 0) {
		show_subscriber(c, ip, &w);
		return CTL_OK;
	}
	if (!c->cfg.subscriber_db[0]) {
		fprintf(stderr, "cgnatctl: '%s' is not an address and no subscribers.database is "
				"configured to look up ids\n", argv[1]);
		return CTL_USAGE;
	}
	db = subdb_load(c->cfg.subscriber_db, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "cgnatctl: %s\n", err);
		return CTL_ERROR;
	}
	n = addresses_of(c, db, argv[1], found, sizeof(found) / sizeof(found[0]));
	subdb_free(db);
	if (!n) {
		fprintf(stderr, "cgnatctl: no active address of subscriber '%s'\n", argv[1]);
		return CTL_NO_MATCH;
	}
	if (c->json) {
		jw_obj_begin(&w);
		jw_kstr(&w, "subscriber_id", argv[1]);
		jw_key(&w, "addresses");
		jw_arr_begin(&w);
	}
	for (i = 0; i < n; i++) {
		if (!c->json)
			printf("%s== %s\n", i ? "\n" : "", argv[1]);
		show_subscriber(c, found[i], &w);
	}
	if (c->json) {
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	return CTL_OK;
}
