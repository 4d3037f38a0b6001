/* Running fixture tables, see fixture.h. */
#include "fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addrplan.h"
#include "csum_ref.h"

#define MAX_VARS 64

static struct var vars[MAX_VARS];
static int n_vars;

/* Problems found while checking one row; reported together. */
static char problems[8192];
static size_t problems_len;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	char line[1024];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (problems_len + n + 8 > sizeof(problems))
		return; /* enough said */
	problems_len += (size_t)snprintf(problems + problems_len, sizeof(problems) - problems_len,
					 "    - %s\n", line);
}

void fx_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "    ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fail();
}

const struct var *var_get(const char *name)
{
	int i;

	for (i = 0; i < n_vars; i++)
		if (!strcmp(vars[i].name, name))
			return &vars[i];
	return NULL;
}

uint8_t proto_slot(uint8_t proto)
{
	return proto == PROTO_TCP ? CGNAT_P_TCP : proto == PROTO_UDP ? CGNAT_P_UDP : CGNAT_P_ICMP;
}

/* ---- endpoints ---------------------------------------------------------- */

static void resolve_ep(const char *s, uint8_t proto, uint32_t *ip, uint16_t *port)
{
	char buf[64], *colon;
	const struct var *v;

	*ip = 0;
	*port = 0;
	if (!s)
		return;
	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (colon)
		*colon++ = '\0';
	if (buf[0] == '$') {
		v = var_get(buf + 1);
		if (!v)
			fx_fail("fixture uses $%s, which no earlier row learned", buf + 1);
		*ip = v->pub_ip;
		*port = v->pub_port;
	} else {
		*ip = ip4(buf);
	}
	if (!colon)
		return;
	if (!strcmp(colon, "free")) {
		*port = free_pool_port(*ip, proto_slot(proto));
		if (!*port)
			fx_fail("no free port on %s", buf);
	} else {
		*port = (uint16_t)strtoul(colon, NULL, 10);
	}
}

static int is_echo(const struct l3_spec *l)
{
	return l->proto == PROTO_ICMP && (l->icmp_type == 0 || l->icmp_type == 8);
}

static void l3_from_desc(const struct l3_desc *d, struct l3_spec *l)
{
	uint16_t sport, dport;
	size_t i;

	memset(l, 0, sizeof(*l));
	resolve_ep(d->src, d->proto, &l->saddr, &sport);
	resolve_ep(d->dst, d->proto, &l->daddr, &dport);
	l->proto = d->proto;
	l->sport = sport;
	l->dport = dport;
	l->tcp_flags = d->flags;
	l->tcp_doff = d->doff;
	l->tcp_seq = 0x01020304;
	l->tcp_ack = d->flags & TH_ACK ? 0x0a0b0c0d : 0;
	l->icmp_type = d->icmp_type;
	l->icmp_code = d->icmp_code;
	l->icmp_mtu = d->mtu;
	l->icmp_seq = 7;
	l->ttl = d->ttl;
	l->ihl = d->ihl;
	l->tos = d->tos;
	l->frag = d->frag;
	l->ip_id = d->id ? d->id : 0x1c46;
	l->udp_csum_zero = d->udp_csum0;
	if (is_echo(l)) /* the identifier: the endpoint that names one */
		l->sport = sport ? sport : dport;
	if (d->payload) {
		l->payload_len = (uint16_t)strlen(d->payload);
		if (l->payload_len > PKT_PAYLOAD_MAX)
			fx_fail("fixture: payload longer than %d bytes", PKT_PAYLOAD_MAX);
		memcpy(l->payload, d->payload, l->payload_len);
	} else {
		l->payload_len = d->payload_len;
		if (l->payload_len > PKT_PAYLOAD_MAX)
			fx_fail("fixture: payload longer than %d bytes", PKT_PAYLOAD_MAX);
		for (i = 0; i < l->payload_len; i++)
			l->payload[i] = (uint8_t)(0x30 + i % 64);
	}
}

/* Apply an endpoint replacement to one side of a packet. */
static void replace_ep(struct l3_spec *l, int src, const char *ep)
{
	uint32_t ip;
	uint16_t port;

	if (!ep)
		return;
	resolve_ep(ep, l->proto, &ip, &port);
	if (src)
		l->saddr = ip;
	else
		l->daddr = ip;
	if (is_echo(l))
		l->sport = port;
	else if (l->proto == PROTO_TCP || l->proto == PROTO_UDP) {
		if (src)
			l->sport = port;
		else
			l->dport = port;
	}
}

static int is_inside_addr(uint32_t ip)
{
	return (ntohl(ip) & 0xffff0000u) == 0x64400000u; /* 100.64.0.0/16 */
}

/* MAC of the next hop towards ip: on-link neighbours, else the router. */
static void next_hop_mac(uint32_t ip, uint8_t mac[6])
{
	if (is_inside_addr(ip) || (ntohl(ip) & 0xffffff00u) == 0xc0000200u) /* 192.0.2.0/24 */
		harness_mac_of(ip, mac);
	else
		harness_mac_of(ip4(ROUTER), mac);
}

/* ---- frames --------------------------------------------------------------- */

static void apply_mutations(const struct pkt_desc *d, uint8_t *f, size_t *len)
{
	int i;

	if (d->l3_len) {
		wr16(f + 16, d->l3_len);
		wr16(f + 24, ref_ipv4_csum(f + 14, 4u * (f[14] & 15)));
		if (14u + d->l3_len < *len)
			*len = 14u + d->l3_len;
	}
	if (d->cut && d->cut < *len)
		*len = d->cut;
	for (i = 0; i < 3; i++)
		if (d->poke[i].set && d->poke[i].off < *len)
			f[d->poke[i].off] = d->poke[i].val;
}

static void pad(const struct pkt_desc *d, uint8_t *f, size_t *len)
{
	if (d->pad_to > *len && d->pad_to <= PKT_MAX) {
		memset(f + *len, 0, d->pad_to - *len);
		*len = d->pad_to;
	}
}

static void build_input(const struct row *r, struct row_run *run)
{
	const struct pkt_desc *d = &r->pkt;
	struct pkt_spec *s = &run->in_spec;

	memset(s, 0, sizeof(*s));
	s->l2 = d->l2;
	l3_from_desc(&d->o, &s->o);
	if (d->in.proto) {
		s->has_inner = 1;
		l3_from_desc(&d->in, &s->in);
		s->inner_l4_quote = d->quote ? d->quote : -1;
	}
	if (r->prog == P_IN) {
		memcpy(s->eth_dst, W.mac_in, 6);
		harness_mac_of(s->o.saddr, s->eth_src);
	} else if (r->prog == P_OUT) {
		memcpy(s->eth_dst, W.mac_out, 6);
		harness_mac_of(ip4(ROUTER), s->eth_src);
	} else { /* tc egress: the kernel already set the next hop's MACs */
		memcpy(s->eth_src, W.mac_out, 6);
		next_hop_mac(s->o.daddr, s->eth_dst);
	}
}

/* The translated packet as the test expects it (before building). */
static void expected_spec(const struct row *r, struct row_run *run)
{
	struct pkt_spec *w = &run->want_spec;

	*w = run->in_spec;
	replace_ep(&w->o, 1, r->x.src);
	replace_ep(&w->o, 0, r->x.dst);
	if (w->has_inner) {
		replace_ep(&w->in, 1, r->x.in_src);
		replace_ep(&w->in, 0, r->x.in_dst);
	}
	if (r->out == OUT_FORWARD) {
		w->o.ttl = (uint8_t)((w->o.ttl ? w->o.ttl : 64) - 1);
		memcpy(w->eth_src, is_inside_addr(w->o.daddr) ? W.mac_in : W.mac_out, 6);
		next_hop_mac(w->o.daddr, w->eth_dst);
	}
}

/* Choose payload bytes 0-1 so the translated UDP checksum sums to 0xffff,
 * i.e. computes as 0x0000 and must go out as 0xffff (RFC 768). */
static void solve_zero_csum(struct row_run *run)
{
	struct l3_spec *w = &run->want_spec.o;
	uint8_t ph[12], seg[8 + PKT_PAYLOAD_MAX];
	uint16_t len = (uint16_t)(8 + w->payload_len), sum, word;

	if (w->proto != PROTO_UDP || w->payload_len < 2)
		fx_fail("fixture: zero_csum_out needs UDP with at least 2 payload bytes");
	w->payload[0] = w->payload[1] = 0;
	memcpy(ph, &w->saddr, 4);
	memcpy(ph + 4, &w->daddr, 4);
	ph[8] = 0;
	ph[9] = PROTO_UDP;
	wr16(ph + 10, len);
	wr16(seg, w->sport);
	wr16(seg + 2, w->dport);
	wr16(seg + 4, len);
	wr16(seg + 6, 0);
	memcpy(seg + 8, w->payload, w->payload_len);
	sum = ref_sum(seg, len, ref_sum(ph, sizeof(ph), 0));
	word = (uint16_t)(0xffff - sum);
	wr16(w->payload, word);
	wr16(run->in_spec.o.payload, word);
}

/* ICMP destination unreachable, code 13, that the NAT sends back: Ethernet
 * addresses swapped, from the inside interface's address, quoting the
 * IPv4 header and 8 bytes of what the subscriber sent. */
static size_t build_prohibited(const uint8_t *in, size_t in_len, uint8_t *f)
{
	size_t hl = 4u * (in[14] & 15), quote = hl + 8, total;
	uint8_t *ip = f + 14, *icmp = f + 34;

	if (14 + quote > in_len)
		quote = in_len - 14;
	total = 20 + 8 + quote;
	memcpy(f, in + 6, 6);
	memcpy(f + 6, in, 6);
	wr16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = 0xc0;          /* internetwork control, as RFC 1812 4.3.2.5 suggests */
	wr16(ip + 2, (uint16_t)total);
	ip[8] = 64;
	ip[9] = PROTO_ICMP;
	memcpy(ip + 12, &W.addr_in, 4);
	memcpy(ip + 16, in + 14 + 12, 4);
	wr16(ip + 10, ref_ipv4_csum(ip, 20));
	memset(icmp, 0, 8);
	icmp[0] = 3;
	icmp[1] = 13;
	memcpy(icmp + 8, in + 14, quote);
	wr16(icmp + 2, ref_csum(icmp, 8 + quote));
	return 14 + total;
}

/* ---- checks --------------------------------------------------------------- */

static void check_learned(const struct row *r, const struct var *v)
{
	const struct cgnat_geometry *g = &D.dp.plan.geom;
	struct cgnat_mapping m;
	struct cgnat_subscriber sub;
	uint32_t last_port = g->port_min + g->blocks_per_ip * g->block_size - 1;
	int idx = pool_index(v->pub_ip), i, found = 0;
	uint32_t slot_val;
	uint64_t w;

	if (mapping_lookup(v->in_ip, v->in_port, v->slot, &m))
		problem("no cgnat_mappings entry for %s:%u", ip4str(v->in_ip), v->in_port);
	else if (m.outside_ip != v->pub_ip || ntohs(m.outside_port) != v->pub_port)
		problem("mapping says %s:%u, the packet %s:%u", ip4str(m.outside_ip),
			ntohs(m.outside_port), ip4str(v->pub_ip), v->pub_port);
	if (idx < 0) {
		problem("translated source %s is not a pool address", ip4str(v->pub_ip));
		return;
	}
	if (v->pub_port < g->port_min || v->pub_port > last_port) {
		problem("port %u outside the dynamic range %u-%u", v->pub_port, g->port_min,
			last_port);
		return;
	}
	slot_val = D.dp.slots[cgnat_port_slot((uint32_t)idx, v->slot, v->pub_port)];
	if (slot_val != CGNAT_SLOT_MAKE(htons(v->in_port), CGNAT_SLOT_USED))
		problem("port slot of %u is 0x%08x, want USED by inside port %u", v->pub_port,
			slot_val, v->in_port);
	w = D.dp.blocks[v->block];
	if (CGNAT_BLOCK_OWNER(w) != v->in_ip || CGNAT_BLOCK_USED(w) == 0)
		problem("block %lld (ports %u-%u) word owner %s used %u, want owner %s",
			v->block, cgnat_block_first_port(g, (uint32_t)v->block),
			cgnat_block_first_port(g, (uint32_t)v->block) + g->block_size - 1,
			ip4str(CGNAT_BLOCK_OWNER(w)), CGNAT_BLOCK_USED(w), ip4str(v->in_ip));
	if (subscriber_lookup(v->in_ip, &sub)) {
		problem("no cgnat_subscribers entry for %s", ip4str(v->in_ip));
	} else {
		for (i = 0; i < CGNAT_MAX_BLOCKS_PER_SUB; i++)
			found |= sub.blocks[i] == (uint32_t)v->block + 1;
		if (!found)
			problem("block %lld of port %u is not among %s's blocks", v->block,
				v->pub_port, ip4str(v->in_ip));
	}
	if (D.cfg.port_parity && v->slot != CGNAT_P_ICMP && (v->pub_port & 1) != (v->in_port & 1))
		problem("port parity lost: inside %u, outside %u (RFC 4787 REQ-4)", v->in_port,
			v->pub_port);
	for (i = 0; i < n_vars; i++)
		if (&vars[i] != v && vars[i].in_ip == v->in_ip && vars[i].pub_ip != v->pub_ip)
			problem("subscriber %s has mappings on %s and %s (paired pooling, RFC 4787 "
				"REQ-2)", ip4str(v->in_ip), ip4str(vars[i].pub_ip), ip4str(v->pub_ip));
	if (r->same_as) {
		const struct var *o = var_get(r->same_as);

		if (!o || o->pub_ip != v->pub_ip || o->pub_port != v->pub_port)
			problem("endpoint-independent mapping: got %s:%u, $%s is %s:%u",
				ip4str(v->pub_ip), v->pub_port, r->same_as,
				o ? ip4str(o->pub_ip) : "?", o ? o->pub_port : 0);
	}
	if (r->other_block_than) {
		const struct var *o = var_get(r->other_block_than);

		if (!o || o->block == v->block)
			problem("block %lld is the same as $%s's", v->block, r->other_block_than);
		if (o && D.dp.plan.n_pool == 1 && o->pub_ip != v->pub_ip)
			problem("one pool address, yet %s and %s", ip4str(o->pub_ip),
				ip4str(v->pub_ip));
	}
	if (r->det) {
		uint32_t pub, inside;
		uint16_t first, last;

		if (addrplan_det_forward(&D.dp.plan, ntohl(v->in_ip), &pub, &first, &last))
			problem("addrplan_det_forward knows no %s", ip4str(v->in_ip));
		else if (htonl(pub) != v->pub_ip || v->pub_port < first || v->pub_port > last)
			problem("deterministic: got %s:%u, addrplan_det_forward says %s:%u-%u",
				ip4str(v->pub_ip), v->pub_port, ip4str(htonl(pub)), first, last);
		if (addrplan_det_reverse(&D.dp.plan, ntohl(v->pub_ip), v->pub_port, &inside) ||
		    htonl(inside) != v->in_ip)
			problem("addrplan_det_reverse(%s:%u) does not give %s", ip4str(v->pub_ip),
				v->pub_port, ip4str(v->in_ip));
	}
}

static void learn(const struct row *r, struct row_run *run)
{
	const struct cgnat_geometry *g = &D.dp.plan.geom;
	struct pkt_view pv;
	struct var *v;
	int idx;

	if (pkt_parse(run->out, run->out_len, &pv)) {
		problem("cannot learn $%s: the output is not IPv4", r->learn);
		return;
	}
	if (n_vars == MAX_VARS || var_get(r->learn))
		fx_fail("fixture: $%s learned twice, or too many", r->learn);
	v = &vars[n_vars++];
	snprintf(v->name, sizeof(v->name), "%s", r->learn);
	v->pub_ip = pv.o.saddr;
	v->pub_port = pv.o.sport;
	v->in_ip = run->in_spec.o.saddr;
	v->in_port = run->in_spec.o.sport;
	v->slot = proto_slot(run->in_spec.o.proto);
	idx = pool_index(v->pub_ip);
	v->block = idx < 0 ? -1 : cgnat_block_of(g, (uint32_t)idx, v->pub_port);
	printf("      $%s = %s:%u (inside %s:%u, block %lld)\n", v->name, ip4str(v->pub_ip),
	       v->pub_port, ip4str(v->in_ip), v->in_port, v->block);
	check_learned(r, v);
}

static const char *verdict_name(enum prog_kind p, uint32_t v)
{
	static const char *xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
				     "XDP_REDIRECT" };
	static char buf[32];

	if (p != P_TC && v < 5)
		return xdp[v];
	if (p == P_TC && v == TC_ACT_OK)
		return "TC_ACT_OK";
	if (p == P_TC && v == TC_ACT_SHOT)
		return "TC_ACT_SHOT";
	snprintf(buf, sizeof(buf), "%u", v);
	return buf;
}

static void check_stats(const struct row *r, const uint64_t *before, const uint64_t *after)
{
	int64_t want[CGNAT_STAT_MAX] = { 0 };
	int i;

	if (r->prog == P_IN)
		want[CGNAT_STAT_RX_INSIDE] = 1;
	else if (r->prog == P_OUT)
		want[CGNAT_STAT_RX_OUTSIDE] = 1;
	for (i = 0; i < 10 && r->stats[i].stat1; i++)
		want[r->stats[i].stat1 - 1] += r->stats[i].delta;
	for (i = 0; i < CGNAT_STAT_MAX; i++) {
		int64_t got = (int64_t)(after[i] - before[i]);

		if (got != want[i])
			problem("counter %s moved by %lld, want %lld", stat_name(i), (long long)got,
				(long long)want[i]);
	}
}

static int64_t wanted_delta(const struct row *r, int stat)
{
	int64_t d = 0;
	int i;

	for (i = 0; i < 10 && r->stats[i].stat1; i++)
		if (r->stats[i].stat1 - 1 == stat)
			d += r->stats[i].delta;
	return d;
}

static struct row_run the_run;

const struct row_run *row_exec(const struct row *r)
{
	struct row_run *run = &the_run;
	uint64_t before[CGNAT_STAT_MAX], after[CGNAT_STAT_MAX];
	long maps0, maps1, peers0, peers1;
	char why[256];
	int rc, n;

	memset(run, 0, sizeof(*run));
	problems_len = 0;
	problems[0] = '\0';
	build_input(r, run);
	if (r->out == OUT_FORWARD || r->out == OUT_XLATED) {
		/* Resolving "$x" of a row that learns x must wait for the output. */
		if (!r->learn)
			expected_spec(r, run);
		if (r->pkt.zero_csum_out) {
			if (r->learn)
				fx_fail("fixture: zero_csum_out needs a known mapping");
			solve_zero_csum(run);
		}
	}
	run->in_len = pkt_build(&run->in_spec, run->in, sizeof(run->in));
	if (!run->in_len)
		fx_fail("fixture: packet does not fit");
	apply_mutations(&r->pkt, run->in, &run->in_len);
	pad(&r->pkt, run->in, &run->in_len);

	stats_read(before);
	maps0 = count_mappings();
	peers0 = count_peers();
	rc = prog_run(r->prog, r->tc_ingress == P_IN ? W.if_in : r->tc_ingress == P_OUT ? W.if_out : 0, run->in, run->in_len, run->out,
		      &run->out_len, &run->verdict);
	stats_read(after);
	maps1 = count_mappings();
	peers1 = count_peers();

	if (r->kernel_refuses) {
		if (rc != -EINVAL)
			problem("the kernel accepted the test run (rc %d), expected EINVAL", rc);
		check_stats(&(struct row){ .prog = P_TC }, before, after);
		goto report;
	}
	if (rc)
		fx_fail("BPF_PROG_TEST_RUN failed: %s", strerror(-rc));
	if (run->verdict != r->verdict)
		problem("verdict %s, want %s", verdict_name(r->prog, run->verdict),
			verdict_name(r->prog, r->verdict));
	if (r->learn && run->verdict == r->verdict) {
		learn(r, run);
		expected_spec(r, run);
	}

	switch (r->out) {
	case OUT_ANY:
		break;
	case OUT_SAME:
		run->want_len = run->in_len;
		memcpy(run->want, run->in, run->in_len);
		break;
	case OUT_FORWARD:
	case OUT_XLATED:
		if (r->learn && run->verdict != r->verdict)
			break;
		run->want_len = pkt_build(&run->want_spec, run->want, sizeof(run->want));
		pad(&r->pkt, run->want, &run->want_len);
		break;
	case OUT_ICMP_PROHIBITED:
		run->want_len = build_prohibited(run->in, run->in_len, run->want);
		break;
	}
	if (run->want_len && (run->out_len != run->want_len ||
			      memcmp(run->out, run->want, run->want_len))) {
		problem("output frame differs from the expected one (hex diff below)");
		fflush(stdout);
		pkt_hexdiff(run->out, run->out_len, run->want, run->want_len);
	}
	if (r->out == OUT_FORWARD || r->out == OUT_XLATED || r->out == OUT_ICMP_PROHIBITED) {
		n = pkt_verify_csums(run->out, run->out_len, why, sizeof(why));
		if (n < 0)
			problem("checksum: %s", why);
		else if (n < 1)
			problem("no checksum verified in the output");
	}
	check_stats(r, before, after);
	if (maps1 - maps0 != wanted_delta(r, CGNAT_STAT_MAPPING_CREATED))
		problem("cgnat_mappings went from %ld to %ld entries", maps0, maps1);
	if (peers1 - peers0 != wanted_delta(r, CGNAT_STAT_PEER_CREATED))
		problem("cgnat_peers went from %ld to %ld entries", peers0, peers1);
	if (r->check && !problems_len)
		r->check(r, run);
report:
	if (problems_len) {
		fflush(stdout);
		fprintf(stderr, "    row \"%s\":\n%s", r->name, problems);
		fail();
	}
	return run;
}

int row_send(const struct row *r, struct row_run *run)
{
	memset(run, 0, sizeof(*run));
	build_input(r, run);
	run->in_len = pkt_build(&run->in_spec, run->in, sizeof(run->in));
	if (!run->in_len)
		fx_fail("fixture: packet does not fit");
	apply_mutations(&r->pkt, run->in, &run->in_len);
	pad(&r->pkt, run->in, &run->in_len);
	return prog_run(r->prog, r->tc_ingress == P_IN ? W.if_in : r->tc_ingress == P_OUT ? W.if_out : 0,
			run->in, run->in_len, run->out, &run->out_len, &run->verdict);
}

/* ---- accounting --------------------------------------------------------- */

void gc_entry_for(struct cgnat_gc_entry *e, const struct var *v, uint32_t flags)
{
	memset(e, 0, sizeof(*e));
	e->op = CGNAT_GC_MAPPING;
	e->flags = flags;
	e->key.m.inside_ip = v->in_ip;
	e->key.m.inside_port = htons(v->in_port);
	e->key.m.proto = v->slot;
}

void check_port_accounting(void)
{
	const struct cgnat_geometry *g = &D.dp.plan.geom;
	uint32_t ip, b, proto, port, in_use;
	int bad = 0;

	for (ip = 0; ip < D.dp.plan.n_pool; ip++) {
		for (b = 0; b < g->blocks_per_ip; b++) {
			uint32_t first = g->port_min + b * g->block_size;
			uint64_t w = D.dp.blocks[ip * g->blocks_per_ip + b];

			const struct cgnat_block_fill *fill =
				&D.dp.block_fill[ip * g->blocks_per_ip + b];

			in_use = 0;
			for (proto = 0; proto < CGNAT_NPROTO; proto++) {
				uint32_t n = 0;

				for (port = first; port < first + g->block_size; port++)
					n += D.dp.slots[cgnat_port_slot(ip, proto, port)] !=
					     CGNAT_SLOT_FREE;
				if (n != fill->used[proto] && bad++ < 5)
					fprintf(stderr, "    block %u of %s, protocol slot %u: %u port "
						"slots in use, its fill says %u\n", b,
						ip4str(htonl(D.dp.plan.pool[ip])), proto, n,
						fill->used[proto]);
				in_use += n;
			}
			if (in_use != CGNAT_BLOCK_USED(w) || (in_use && !CGNAT_BLOCK_OWNER(w))) {
				if (bad++ < 5)
					fprintf(stderr, "    block %u of %s: %u port slots in use, "
						"block word says %u used, owner %s\n", b,
						ip4str(htonl(D.dp.plan.pool[ip])), in_use,
						CGNAT_BLOCK_USED(w), ip4str(CGNAT_BLOCK_OWNER(w)));
			}
		}
	}
	if (bad)
		fx_fail("port accounting: %d blocks disagree with their port slots", bad);
}

/* ---- cmocka glue --------------------------------------------------------
 * Everything runs as one cmocka group, so the summary at the end lists
 * every failure: each table is framed by a test that loads its dataplane
 * and one that tears it down and checks nothing is left behind. */

enum entry_kind { E_LOAD, E_ROW, E_UNLOAD };

struct entry {
	enum entry_kind kind;
	const struct group *g;
	const struct row *r;
};

static void entry_test(void **state)
{
	const struct entry *e = *state;

	switch (e->kind) {
	case E_LOAD:
		n_vars = 0;
		if (dp_up(e->g->config))
			fx_fail("cannot load the dataplane for \"%s\"", e->g->name);
		break;
	case E_ROW:
		if (!D.up)
			fx_fail("the dataplane of \"%s\" is not loaded", e->g->name);
		if (e->r->action)
			e->r->action(e->r);
		else
			row_exec(e->r);
		break;
	case E_UNLOAD:
		dp_down();
		if (!teardown_clean())
			fx_fail("dp_detach/dp_close left pins or XDP programs behind");
		break;
	}
}

int tables_run(const struct CMUnitTest *pre, size_t n_pre, const struct group *const *groups,
	       size_t n_groups)
{
	size_t n = n_pre, i, j, k = 0;
	struct CMUnitTest *tests;
	struct entry *entries;
	char (*names)[160];
	int failed;

	for (i = 0; i < n_groups; i++)
		n += groups[i]->n_rows + 2;
	tests = calloc(n, sizeof(*tests));
	entries = calloc(n, sizeof(*entries));
	names = calloc(n, sizeof(*names));
	if (!tests || !entries || !names) {
		free(tests);
		free(entries);
		free(names);
		return 1;
	}
	for (i = 0; i < n_pre; i++)
		tests[k++] = pre[i];
	for (i = 0; i < n_groups; i++) {
		const struct group *g = groups[i];

		entries[k] = (struct entry){ E_LOAD, g, NULL };
		snprintf(names[k], sizeof(names[k]), "[%s] load the dataplane", g->name);
		k++;
		for (j = 0; j < g->n_rows; j++) {
			entries[k] = (struct entry){ E_ROW, g, &g->rows[j] };
			snprintf(names[k], sizeof(names[k]), "%s", g->rows[j].name);
			k++;
		}
		entries[k] = (struct entry){ E_UNLOAD, g, NULL };
		snprintf(names[k], sizeof(names[k]), "[%s] detach, nothing left behind", g->name);
		k++;
	}
	for (k = n_pre; k < n; k++) {
		tests[k].name = names[k];
		tests[k].test_func = entry_test;
		tests[k].initial_state = &entries[k];
	}
	failed = _cmocka_run_group_tests("packet tests", tests, n, NULL, NULL);
	free(tests);
	free(entries);
	free(names);
	return failed;
}

int fill_until_refused(void (*source_of)(int i, char *src, size_t len), int max,
		       int refusal_stat, uint64_t before[CGNAT_STAT_MAX],
		       uint64_t after[CGNAT_STAT_MAX])
{
	char src[32], why[256] = "";
	struct row probe = { .prog = P_IN,
			     .pkt = { .o = { .src = src, .dst = SRV1 ":53", .proto = PROTO_UDP,
					     .payload = "fill" } } };
	static struct row_run run;
	long maps0 = count_mappings(), maps1;
	struct pkt_view v;
	int i, filled = 0;

	for (i = 0; i < max; i++) {
		source_of(i, src, sizeof(src));
		stats_read(before);
		if (row_send(&probe, &run))
			fx_fail("test run failed at flow %d", i);
		if (run.verdict != XDP_REDIRECT)
			break;
		filled++;
	}
	stats_read(after);
	maps1 = count_mappings();
	printf("      refused after %d new flows: flow %d (%s)\n", filled, filled + 1, src);
	if (i == max)
		fx_fail("no flow of %d was refused", max);
	if (run.verdict != XDP_TX)
		fx_fail("refused flow got verdict %u, want XDP_TX", run.verdict);
	if (after[refusal_stat] - before[refusal_stat] != 1 ||
	    after[CGNAT_STAT_ICMP_SENT] - before[CGNAT_STAT_ICMP_SENT] != 1 ||
	    after[CGNAT_STAT_MAPPING_CREATED] != before[CGNAT_STAT_MAPPING_CREATED])
		fx_fail("refused flow: %s +%llu, ICMP_SENT +%llu, MAPPING_CREATED +%llu; "
			"want +1, +1, +0", stat_name(refusal_stat),
			(unsigned long long)(after[refusal_stat] - before[refusal_stat]),
			(unsigned long long)(after[CGNAT_STAT_ICMP_SENT] - before[CGNAT_STAT_ICMP_SENT]),
			(unsigned long long)(after[CGNAT_STAT_MAPPING_CREATED] -
					     before[CGNAT_STAT_MAPPING_CREATED]));
	if (maps1 != maps0 + filled)
		fx_fail("cgnat_mappings has %ld entries, want %ld + %d", maps1, maps0, filled);
	if (pkt_parse(run.out, run.out_len, &v) || v.o.icmp_type != 3 || v.o.icmp_code != 13 ||
	    pkt_verify_csums(run.out, run.out_len, why, sizeof(why)) < 0)
		fx_fail("the refusal is not a valid ICMP 3/13 frame (%s)", why);
	check_port_accounting();
	return filled;
}
