/* The expiry program (cgnat_gc, run with dp_run_gc): it deletes what
 * expired or what it is forced to, holds the freed port (RFC 6888 REQ-8:
 * not reused for a while), keeps what is alive, and counts sessions down.
 * UDP times out after 4 s here (enforce_rfc_minimums off); outbound
 * packets refresh a mapping, inbound ICMP errors do not (RFC 4787 REQ-6,
 * REQ-12). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tables.h"

static const char config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/16]\n"
	"pool:\n"
	"  addresses: [198.51.100.1]\n"
	"mode: pba\n"
	"limits:\n"
	"  max_sessions: 65536\n"
	"timeouts:\n"
	"  udp: 4\n"
	"  enforce_rfc_minimums: false\n";

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/* Run cgnat_gc over one entry per name ("!" in front: CGNAT_GC_FORCE)
 * and return the result of each. */
static void run_gc(const char *const *names, int n, uint32_t *results, uint32_t *deleted)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		const char *name = names[i] + (names[i][0] == '!');
		const struct var *v = var_get(name);
		struct cgnat_gc_entry *e = &D.dp.gc_batch[i];

		if (!v)
			fx_fail("no $%s", name);
		gc_entry_for(e, v, names[i][0] == '!' ? CGNAT_GC_FORCE : 0);
	}
	rc = dp_run_gc(&D.dp, (uint32_t)n, deleted, NULL);
	if (rc)
		fx_fail("dp_run_gc returned %d", rc);
	for (i = 0; i < n; i++)
		results[i] = D.dp.gc_batch[i].result;
}

static const char *result_name(uint32_t r)
{
	return r == CGNAT_GC_KEPT ? "KEPT" : r == CGNAT_GC_DELETED ? "DELETED"
					     : r == CGNAT_GC_GONE ? "GONE" : "?";
}

static void expect_result(const char *name, uint32_t got, uint32_t want)
{
	if (got != want)
		fx_fail("gc of $%s: %s, want %s", name, result_name(got), result_name(want));
}

static int has_mapping(const struct var *v)
{
	struct cgnat_mapping m;

	return mapping_lookup(v->in_ip, v->in_port, v->slot, &m) == 0;
}

static uint32_t slot_of(const struct var *v)
{
	return D.dp.slots[cgnat_port_slot((uint32_t)pool_index(v->pub_ip), v->slot, v->pub_port)];
}

static void expect_held(const struct var *v)
{
	uint32_t want = CGNAT_SLOT_MAKE(htons(v->in_port), CGNAT_SLOT_HELD);

	if (slot_of(v) != want)
		fx_fail("port slot of $%s (%u) is 0x%08x, want HELD 0x%08x", v->name, v->pub_port,
			slot_of(v), want);
}

static uint32_t sessions_of(uint32_t ip)
{
	struct cgnat_subscriber s;

	return subscriber_lookup(ip, &s) ? 0 : s.sessions;
}

static void gc_keeps_live(const struct row *r)
{
	static const char *const names[] = { "g_udp", "g_tcp" };
	uint32_t res[2], deleted = 99;

	(void)r;
	run_gc(names, 2, res, &deleted);
	expect_result("g_udp", res[0], CGNAT_GC_KEPT);
	expect_result("g_tcp", res[1], CGNAT_GC_KEPT);
	if (deleted != 0 || !has_mapping(var_get("g_udp")) || !has_mapping(var_get("g_tcp")))
		fx_fail("a live mapping was deleted (deleted=%u)", deleted);
}

static void gc_force(const struct row *r)
{
	static const char *const names[] = { "!g_tcp" };
	const struct var *v = var_get("g_tcp");
	uint32_t res[1], deleted = 0, subs0 = sessions_of(v->in_ip);
	uint64_t global0 = dp_live_sessions(&D.dp);
	const struct cgnat_mapping *m = &D.dp.gc_batch[0].mapping;

	(void)r;
	run_gc(names, 1, res, &deleted);
	expect_result("g_tcp", res[0], CGNAT_GC_DELETED);
	if (deleted != 1 || has_mapping(v))
		fx_fail("forced mapping not deleted (deleted=%u)", deleted);
	if (m->outside_ip != v->pub_ip || ntohs(m->outside_port) != v->pub_port)
		fx_fail("gc reports the deleted mapping as %s:%u", ip4str(m->outside_ip),
			ntohs(m->outside_port));
	expect_held(v);
	if (sessions_of(v->in_ip) != subs0 - 1 || dp_live_sessions(&D.dp) != global0 - 1)
		fx_fail("sessions: subscriber %u -> %u, global %llu -> %llu; want one less", subs0,
			sessions_of(v->in_ip), (unsigned long long)global0,
			(unsigned long long)dp_live_sessions(&D.dp));
}

static void new_port_not_held(const struct row *r, const struct row_run *run)
{
	const char *const *pair = r->arg;
	const struct var *old = var_get(pair[0]), *fresh = var_get(pair[1]);

	(void)run;
	if (!old || !fresh)
		fx_fail("fixture: missing $%s or $%s", pair[0], pair[1]);
	if (old->pub_port == fresh->pub_port)
		fx_fail("the held port %u was handed out again", old->pub_port);
	expect_held(old);
}

static void wait_half(const struct row *r)
{
	(void)r;
	nap(2500);
}

/* g_udp was last used ~5 s ago, g_ref ~2.5 s ago (outbound refresh). */
static void gc_expires(const struct row *r)
{
	static const char *const names[] = { "g_udp", "g_ref", "g_tcp2" };
	const struct var *v = var_get("g_udp");
	uint32_t res[3], deleted = 0;

	(void)r;
	nap(2500);
	run_gc(names, 3, res, &deleted);
	expect_result("g_udp", res[0], CGNAT_GC_DELETED);
	expect_result("g_ref", res[1], CGNAT_GC_KEPT);
	expect_result("g_tcp2", res[2], CGNAT_GC_KEPT);
	if (deleted != 1 || has_mapping(v))
		fx_fail("expired mapping still there (deleted=%u)", deleted);
	expect_held(v);
}

static void gc_gone(const struct row *r)
{
	static const char *const names[] = { "g_udp" };
	uint32_t res[1], deleted = 0;

	(void)r;
	run_gc(names, 1, res, &deleted);
	expect_result("g_udp", res[0], CGNAT_GC_GONE);
}

/* The ICMP error about g_udp did not refresh it: its last use stays
 * older than g_ref's refresh. */
static void not_refreshed(const struct row *r, const struct row_run *run)
{
	const struct var *u = var_get("g_udp"), *f = var_get("g_ref");
	struct cgnat_mapping mu, mf;

	(void)r;
	(void)run;
	if (mapping_lookup(u->in_ip, u->in_port, u->slot, &mu) ||
	    mapping_lookup(f->in_ip, f->in_port, f->slot, &mf))
		fx_fail("mapping missing");
	if (mu.last_seen + 2 > mf.last_seen)
		fx_fail("g_udp last_seen %u, g_ref %u: the ICMP error refreshed g_udp", mu.last_seen,
			mf.last_seen);
}

static const char *const tcp_pair[] = { "g_tcp", "g_tcp2" };
static const char *const udp_pair[] = { "g_udp", "g_udp2" };
static const char *const cached_pair[] = { "g_c1", "g_c2" };

/* Flush (FORCE) a mapping the per-CPU flow cache has just served. */
static void gc_force_cached(const struct row *r)
{
	static const char *const names[] = { "!g_c1" };
	uint32_t res[1], deleted = 0;

	(void)r;
	run_gc(names, 1, res, &deleted);
	if (res[0] != CGNAT_GC_DELETED || deleted != 1)
		fx_fail("g_c1 not deleted: %s", result_name(res[0]));
}

static const struct row rows[] = {
	{ "gc: A's UDP mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_udp" }, .learn = "g_udp",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "gc: A's TCP mapping",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":5001", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_tcp" }, .learn = "g_tcp",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "gc without FORCE keeps mappings that have not expired", .action = gc_keeps_live },
	{ "gc with FORCE deletes the TCP mapping, holds its port, counts the session down",
	  .action = gc_force },
	{ "gc: inbound to the deleted TCP mapping is dropped",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$g_tcp", TH_SYN | TH_ACK) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "gc: the same inside port gets a new public port, not the held one",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":5001", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_tcp2" }, .learn = "g_tcp2",
	  .stats = { FWD_OUT, NEW_MAP }, .check = new_port_not_held, .arg = tcp_pair },
	{ "gc: A's second UDP mapping, to be refreshed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4100", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_ref" }, .learn = "g_ref",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "gc: wait 2.5 s", .action = wait_half },
	{ "gc: an outbound packet refreshes the second UDP mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4100", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_ref" },
	  .stats = { FWD_OUT } },
	{ "gc: an inbound ICMP error about the first UDP mapping does not refresh it",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$g_udp", 3, 1) },
		   .in = { L_UDP("$g_udp", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) }, .check = not_refreshed },
	{ "gc after 5 s: the idle UDP mapping expired (port held), the refreshed one and TCP kept",
	  .action = gc_expires },
	{ "gc of a mapping that is already gone reports GONE", .action = gc_gone },
	{ "gc: inbound to the expired UDP mapping is dropped",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$g_udp"), .payload = "late" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "gc: A's next UDP flow from the same port gets a new port, not the held one",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_udp2" }, .learn = "g_udp2",
	  .stats = { FWD_OUT, NEW_MAP }, .check = new_port_not_held, .arg = udp_pair },
	{ "gc: B's UDP mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4444", SRV1 ":53"), .payload = "c" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_c1" }, .learn = "g_c1",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "gc: B again in the same second (served by the per-CPU flow cache)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4444", SRV1 ":53"), .payload = "c" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_c1" }, .learn = "g_c1b",
	  .same_as = "g_c1", .stats = { FWD_OUT } },
	{ "gc with FORCE deletes B's mapping (and its flow cache slot on every CPU)",
	  .action = gc_force_cached },
	{ "gc: B's next packet right away gets a new port, not the deleted mapping from the cache",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4444", SRV1 ":53"), .payload = "c" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$g_c2" }, .learn = "g_c2",
	  .stats = { FWD_OUT, NEW_MAP }, .check = new_port_not_held, .arg = cached_pair },
};

const struct group fx_gc = GROUP("gc: expiry program, UDP timeout 4 s", config, rows);
