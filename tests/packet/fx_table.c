/* The session table (include/cgnat_sessions.h): limits.max_sessions is a
 * hard limit (RFC 6888 REQ-4 spirit: the new flow is refused with ICMP
 * 3/13 and counted, established mappings keep translating), deletions
 * leave no tombstones behind once their runs end, and freed slots are
 * used again. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tables.h"

#define TABLE_CONFIG                          \
	"subscribers:\n"                      \
	"  prefixes: [100.64.0.0/16]\n"       \
	"pool:\n"                             \
	"  addresses: [198.51.100.1]\n"       \
	"allocation:\n"                       \
	"  block_size: 256\n"                 \
	"limits:\n"                           \
	"  max_sessions: 1024\n"             \
	"  max_sessions_per_subscriber: 1024\n"

#define TABLE_LIMIT 1024

/* New flows from eight subscribers until one is refused. */
static void fill_table(const struct row *r)
{
	char src[32];
	struct row probe = { .prog = P_IN,
			     .pkt = { .o = { .src = src, .dst = SRV1 ":53", .proto = PROTO_UDP,
					     .payload = "fill" } } };
	static struct row_run run;
	uint64_t before[CGNAT_STAT_MAX], after[CGNAT_STAT_MAX];
	int i, made = 0;

	(void)r;
	for (i = 0; i < 2 * TABLE_LIMIT; i++) {
		snprintf(src, sizeof(src), "100.64.1.%d:%d", 1 + i % 8, 2000 + i / 8);
		stats_read(before);
		if (row_send(&probe, &run))
			fx_fail("test run failed at flow %d", i);
		if (run.verdict != XDP_REDIRECT)
			break;
		made++;
	}
	stats_read(after);
	/* A's mapping (the group's first row) is one of the limit's. */
	if (made != TABLE_LIMIT - 1 || count_mappings() != TABLE_LIMIT)
		fx_fail("refused after %d new flows with %ld mappings, want %d and %d", made,
			count_mappings(), TABLE_LIMIT - 1, TABLE_LIMIT);
	if (D.dp.global->sessions != TABLE_LIMIT)
		fx_fail("session count %llu, want %d", (unsigned long long)D.dp.global->sessions,
			TABLE_LIMIT);
	if (run.verdict != XDP_TX ||
	    after[CGNAT_STAT_DROP_TABLE_FULL] - before[CGNAT_STAT_DROP_TABLE_FULL] != 1 ||
	    after[CGNAT_STAT_MAPPING_CREATED] != before[CGNAT_STAT_MAPPING_CREATED])
		fx_fail("refused flow: verdict %u, DROP_TABLE_FULL +%llu; want XDP_TX, +1",
			run.verdict, (unsigned long long)(after[CGNAT_STAT_DROP_TABLE_FULL] -
							  before[CGNAT_STAT_DROP_TABLE_FULL]));
	check_port_accounting();
}

static int queue_delete(void *arg, const struct cgnat_mapping_key *k,
			const struct cgnat_mapping *m)
{
	uint32_t *n = arg;
	struct cgnat_gc_entry *e = &D.dp.gc_batch[(*n)++];

	(void)m;
	memset(e, 0, sizeof(*e));
	e->op = CGNAT_GC_MAPPING;
	e->flags = CGNAT_GC_FORCE;
	e->key.m = *k;
	return *n == CGNAT_GC_BATCH;
}

/* Delete every mapping through cgnat_gc: every slot must be EMPTY again
 * (a TOMB left behind would lengthen every later walk through it). */
static void flush_table(const struct row *r)
{
	uint32_t n = 0, deleted = 0, i, left = 0;

	(void)r;
	session_table_walk_all(&D.dp.sessions, queue_delete, &n);
	if (n != TABLE_LIMIT)
		fx_fail("%u mappings to delete, want %d", n, TABLE_LIMIT);
	if (dp_run_gc(&D.dp, n, &deleted, NULL) || deleted != n)
		fx_fail("cgnat_gc deleted %u of %u", deleted, n);
	for (i = 0; i < D.dp.sessions.n; i++)
		left += D.dp.sessions.slots[i].word != CGNAT_SW_EMPTY;
	if (left || count_mappings() || D.dp.global->sessions)
		fx_fail("after the flush: %u slots not EMPTY, %ld mappings, count %llu", left,
			count_mappings(), (unsigned long long)D.dp.global->sessions);
}

static const struct row rows[] = {
	{ "table: A's mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_a" }, .learn = "t_a",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "table: new flows until limits.max_sessions (1024) refuses one with ICMP 3/13",
	  .action = fill_table },
	{ "table full: another new flow is refused too",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4001", SRV1 ":53"), .payload = "no" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_TABLE_FULL, 1), ST(ICMP_SENT, 1) } },
	A_STILL_TRANSLATES("table full", "t_a"),
	{ "table: cgnat_gc deletes all 1024; no slot is left a TOMB, the count is 0",
	  .action = flush_table },
	{ "table flushed: a new flow gets a mapping again",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4002", SRV1 ":53"), .payload = "ok" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_b" }, .learn = "t_b",
	  .stats = { FWD_OUT, NEW_MAP } },
};

const struct group fx_table = GROUP("session table: limit, deletion, reuse", TABLE_CONFIG, rows);
