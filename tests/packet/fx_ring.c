/* Fail closed (DESIGN.md section 4): when the event for a new block (PBA)
 * or a new session (session mode) cannot be queued because the 64K ring
 * buffer is full and nobody drains it, the new flow is refused and
 * counted, no mapping or block is kept, and established mappings go on
 * translating. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tables.h"

#define RING_CONFIG(mode, block)              \
	"subscribers:\n"                      \
	"  prefixes: [100.64.0.0/16]\n"       \
	"pool:\n"                             \
	"  addresses: [198.51.100.1]\n"       \
	"mode: " mode "\n"                    \
	"allocation:\n"                       \
	"  block_size: " block "\n"           \
	"limits:\n"                           \
	"  max_sessions: 65536\n"             \
	"logging:\n"                          \
	"  ring_buffer_size: 64K\n"

/* A 64K ring holds 65536 / (8 header + 40 record) = 1365 events. */
#define RING_EVENTS_MIN 1200
#define RING_EVENTS_MAX 1400

static struct cgnat_event events[4096];
static int filled; /* flows that got a mapping before the ring was full */

static void new_subscriber(int i, char *src, size_t len)
{
	snprintf(src, len, "100.64.%d.%d:1000", 100 + i / 250, 1 + i % 250);
}

static void new_port_of_a(int i, char *src, size_t len)
{
	snprintf(src, len, SUB_A ":%d", 10000 + i);
}

/* Send new flows (from new subscribers, or new ports of A) until the
 * undrained ring refuses one; check the refusal. */
static void fill_until_ring_full(int new_subscribers)
{
	uint64_t before[CGNAT_STAT_MAX], after[CGNAT_STAT_MAX];

	filled = fill_until_refused(new_subscribers ? new_subscriber : new_port_of_a, 6000,
				    CGNAT_STAT_DROP_EVENT_RING_FULL, before, after);
	if (filled < RING_EVENTS_MIN || filled > RING_EVENTS_MAX)
		fx_fail("refused after %d flows, want %d..%d", filled, RING_EVENTS_MIN,
			RING_EVENTS_MAX);
	if (new_subscribers && after[CGNAT_STAT_BLOCK_ALLOCATED] != before[CGNAT_STAT_BLOCK_ALLOCATED])
		fx_fail("the refused subscriber was given a block");
}

static void fill_pba(const struct row *r)
{
	(void)r;
	fill_until_ring_full(1);
}

static void fill_session(const struct row *r)
{
	(void)r;
	fill_until_ring_full(0);
}

/* PBA: one BLOCK_ALLOC record per block, in order, A's first, numbered
 * without gaps. */
static void drain_pba(const struct row *r)
{
	const struct var *a = var_get("r_a");
	const struct cgnat_geometry *g = &D.dp.plan.geom;
	int n = events_drain(events, 4096), i;
	uint32_t first;

	(void)r;
	if (n != filled + 1)
		fx_fail("drained %d events, want %d block allocations", n, filled + 1);
	/* Numbered without gaps, up to the dataplane's next number. */
	for (i = 0; i < n; i++)
		if (events[i].type != CGNAT_EV_BLOCK_ALLOC || events[i].seq != events[0].seq + i)
			fx_fail("event %d: type %u seq %llu, want BLOCK_ALLOC seq %llu", i,
				events[i].type, (unsigned long long)events[i].seq,
				(unsigned long long)(events[0].seq + i));
	if (D.dp.global->event_seq != events[n - 1].seq + 1)
		fx_fail("next event number %llu, last record %llu",
			(unsigned long long)D.dp.global->event_seq,
			(unsigned long long)events[n - 1].seq);
	first = cgnat_block_first_port(g, (uint32_t)a->block);
	if (events[0].inside_ip != a->in_ip || events[0].outside_ip != a->pub_ip ||
	    ntohs(events[0].outside_port) != first ||
	    ntohs(events[0].outside_port_last) != first + g->block_size - 1)
		fx_fail("A's block event: %s -> %s:%u-%u, want %s -> %s:%u-%u",
			ip4str(events[0].inside_ip), ip4str(events[0].outside_ip),
			ntohs(events[0].outside_port), ntohs(events[0].outside_port_last),
			ip4str(a->in_ip), ip4str(a->pub_ip), first, first + g->block_size - 1);
}

/* Session mode: one SESSION_CREATE per mapping, destinations not logged. */
static void drain_one_session(const struct row *r)
{
	const struct var *a = var_get("s_a");
	int n = events_drain(events, 4096);

	(void)r;
	if (n != 1)
		fx_fail("drained %d events, want 1", n);
	if (events[0].type != CGNAT_EV_SESSION_CREATE || events[0].proto != PROTO_UDP ||
	    events[0].inside_ip != a->in_ip || ntohs(events[0].inside_port) != a->in_port ||
	    events[0].outside_ip != a->pub_ip || ntohs(events[0].outside_port) != a->pub_port ||
	    events[0].outside_port_last != events[0].outside_port || events[0].remote_ip ||
	    events[0].remote_port)
		fx_fail("event type %u proto %u %s:%u -> %s:%u (last %u) remote %s:%u; want "
			"SESSION_CREATE UDP %s:%u -> %s:%u, no destination",
			events[0].type, events[0].proto, ip4str(events[0].inside_ip),
			ntohs(events[0].inside_port), ip4str(events[0].outside_ip),
			ntohs(events[0].outside_port), ntohs(events[0].outside_port_last),
			ip4str(events[0].remote_ip), ntohs(events[0].remote_port), ip4str(a->in_ip),
			a->in_port, ip4str(a->pub_ip), a->pub_port);
}

static void drain_sessions(const struct row *r)
{
	int n = events_drain(events, 4096), i;

	(void)r;
	if (n != filled)
		fx_fail("drained %d events, want %d session records", n, filled);
	for (i = 0; i < n; i++)
		if (events[i].type != CGNAT_EV_SESSION_CREATE)
			fx_fail("event %d has type %u", i, events[i].type);
}

static const struct row pba_rows[] = {
	A_FIRST_MAPPING("ring: A's mapping, established before the ring fills", "r_a"),
	{ "ring: new subscribers until the undrained ring refuses a block (fail closed)",
	  .action = fill_pba },
	{ "ring full: a new subscriber's first flow is refused with ICMP, no block, no mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP("100.64.200.1:1000", SRV1 ":53"), .payload = "no" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_EVENT_RING_FULL, 1), ST(ICMP_SENT, 1) } },
	A_STILL_TRANSLATES("ring full", "r_a"),
	{ "ring full: A's new flow in its existing block needs no record and is allowed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4001", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$r_a2" }, .learn = "r_a2",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "ring: drained records are the block allocations, in order, A's first",
	  .action = drain_pba },
	{ "ring drained: the refused subscriber now gets a block",
	  .prog = P_IN, .pkt = { .o = { L_UDP("100.64.200.1:1000", SRV1 ":53"), .payload = "ok" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$r_new" }, .learn = "r_new",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
};

const struct group fx_ring_pba =
	GROUP("fail closed: PBA, 64K event ring", RING_CONFIG("pba", "8"), pba_rows);

static const struct row session_rows[] = {
	A_FIRST_MAPPING("session mode: A's first mapping", "s_a"),
	{ "session mode: one SESSION_CREATE record with the mapping, no destination",
	  .action = drain_one_session },
	{ "session mode: new flows of A until the undrained ring refuses one (fail closed)",
	  .action = fill_session },
	{ "ring full: A's next new flow is refused with ICMP, no mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":20000", SRV1 ":53"), .payload = "no" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_EVENT_RING_FULL, 1), ST(ICMP_SENT, 1) } },
	A_STILL_TRANSLATES("ring full", "s_a"),
	{ "session mode: drained records are one per mapping", .action = drain_sessions },
	{ "ring drained: A's refused flow now gets a mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":20000", SRV1 ":53"), .payload = "ok" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$s_new" }, .learn = "s_new",
	  .stats = { FWD_OUT, NEW_MAP } },
};

const struct group fx_ring_session =
	GROUP("fail closed: session logging, 64K event ring", RING_CONFIG("session", "256"),
	      session_rows);
