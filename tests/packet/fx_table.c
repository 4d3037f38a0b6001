/* The session table (include/cgnat_sessions.h): limits.max_sessions is a
 * hard limit (RFC 6888 REQ-4 spirit: the new flow is refused with ICMP
 * 3/13 and counted, established mappings keep translating), deletions
 * leave no tombstones behind once their runs end, freed slots are used
 * again, and two CPUs creating the same mappings at once end up with one
 * each. */
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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

static void eight_subscribers(int i, char *src, size_t len)
{
	snprintf(src, len, "100.64.1.%d:%d", 1 + i % 8, 2000 + i / 8);
}

/* New flows from eight subscribers until one is refused. */
static void fill_table(const struct row *r)
{
	uint64_t before[CGNAT_STAT_MAX], after[CGNAT_STAT_MAX];
	int made;

	(void)r;
	made = fill_until_refused(eight_subscribers, 2 * TABLE_LIMIT, CGNAT_STAT_DROP_TABLE_FULL,
				  before, after);
	/* A's mapping (the group's first row) is one of the limit's. */
	if (made != TABLE_LIMIT - 1 || count_mappings() != TABLE_LIMIT)
		fx_fail("refused after %d new flows with %ld mappings, want %d and %d", made,
			count_mappings(), TABLE_LIMIT - 1, TABLE_LIMIT);
	if (D.dp.global->sessions != TABLE_LIMIT)
		fx_fail("session count %llu, want %d", (unsigned long long)D.dp.global->sessions,
			TABLE_LIMIT);
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

/* Two threads, one per CPU, send the same RACE_FLOWS new flows, meeting
 * at a spinning barrier before each, so the two CPUs create every mapping
 * at the same moment. */
#define RACE_FLOWS 400

static int race_arrived;

struct racer {
	int cpu;
	uint32_t subscriber;
	uint16_t port[RACE_FLOWS]; /* translated source port, 0: not forwarded */
	uint64_t t0[RACE_FLOWS], t1[RACE_FLOWS]; /* the test run, CLOCK_MONOTONIC ns */
	int failed;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *race(void *arg)
{
	struct racer *r = arg;
	cpu_set_t set;
	struct pkt_spec spec = { 0 };
	uint8_t in[256], out[512];

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	spec.o.saddr = r->subscriber;
	spec.o.daddr = ip4(SRV1);
	spec.o.dport = 53;
	spec.o.proto = PROTO_UDP;
	spec.o.payload_len = 4;
	memcpy(spec.o.payload, "race", 4);
	memcpy(spec.eth_dst, W.mac_in, 6);
	harness_mac_of(spec.o.saddr, spec.eth_src);
	for (int i = 0; i < RACE_FLOWS; i++) {
		size_t len, out_len = sizeof(out);
		uint32_t verdict = 0;
		struct pkt_view v;

		spec.o.sport = (uint16_t)(30000 + i);
		len = pkt_build(&spec, in, sizeof(in));
		__atomic_fetch_add(&race_arrived, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&race_arrived, __ATOMIC_SEQ_CST) < 2 * (i + 1))
			;
		r->t0[i] = mono_ns();
		if (!len || prog_run(P_IN, 0, in, len, out, &out_len, &verdict)) {
			r->failed = 1; /* go on meeting the other thread at the barrier */
			continue;
		}
		r->t1[i] = mono_ns();
		if (verdict == XDP_REDIRECT && pkt_parse(out, out_len, &v) == 0)
			r->port[i] = v.o.sport;
	}
	return NULL;
}

/* MAPPING_CREATED on CPUs 0 and 1. */
static void per_cpu_created(uint64_t v[2])
{
	if (stat_per_cpu(CGNAT_STAT_MAPPING_CREATED, v, 2))
		fx_fail("cannot read the per-CPU counters");
}

/* One round from one subscriber; checks every flow. Returns 1 when most
 * of the two CPUs' test runs of the same flow overlapped in time. */
static int race_round(uint32_t subscriber)
{
	static struct racer racers[2];
	pthread_t th[2];
	uint64_t before[CGNAT_STAT_MAX], after[CGNAT_STAT_MAX];
	long maps0 = count_mappings();
	uint64_t created0[2], created1[2];
	int i, both = 0, overlapped = 0;

	stats_read(before);
	per_cpu_created(created0);
	race_arrived = 0;
	for (i = 0; i < 2; i++) {
		memset(&racers[i], 0, sizeof(racers[i]));
		racers[i].cpu = i;
		racers[i].subscriber = subscriber;
		if (pthread_create(&th[i], NULL, race, &racers[i]))
			fx_fail("cannot start a thread");
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	stats_read(after);
	per_cpu_created(created1);
	if (racers[0].failed || racers[1].failed)
		fx_fail("a test run failed");
	for (i = 0; i < RACE_FLOWS; i++) {
		struct cgnat_mapping m;

		/* A packet may lose to the other CPU's slot being written
		 * (drop_session_busy); every one that went out used the mapping. */
		if (mapping_lookup(subscriber, (uint16_t)(30000 + i), CGNAT_P_UDP, &m))
			fx_fail("flow %d has no mapping", i);
		for (int t = 0; t < 2; t++)
			if (racers[t].port[i] && racers[t].port[i] != ntohs(m.outside_port))
				fx_fail("flow %d left CPU %d from port %u, its mapping has %u", i, t,
					racers[t].port[i], ntohs(m.outside_port));
		both += racers[0].port[i] && racers[1].port[i];
		overlapped += (racers[0].t0[i] > racers[1].t0[i] ? racers[0].t0[i] : racers[1].t0[i]) <
			      (racers[0].t1[i] < racers[1].t1[i] ? racers[0].t1[i] : racers[1].t1[i]);
	}
	printf("      %s: the two test runs of %d of %d flows overlapped; %d went out from both "
	       "CPUs with the same port; created by CPU 0: %llu, CPU 1: %llu\n",
	       ip4str(subscriber), overlapped, RACE_FLOWS, both,
	       (unsigned long long)(created1[0] - created0[0]),
	       (unsigned long long)(created1[1] - created0[1]));
	if (count_mappings() != maps0 + RACE_FLOWS ||
	    after[CGNAT_STAT_MAPPING_CREATED] - before[CGNAT_STAT_MAPPING_CREATED] != RACE_FLOWS ||
	    D.dp.global->sessions != (uint64_t)count_mappings())
		fx_fail("%ld mappings (want %ld), %llu created (want %d), count %llu",
			count_mappings(), maps0 + RACE_FLOWS,
			(unsigned long long)(after[CGNAT_STAT_MAPPING_CREATED] -
					     before[CGNAT_STAT_MAPPING_CREATED]),
			RACE_FLOWS, (unsigned long long)D.dp.global->sessions);
	/* The losers' ports went back: slots and fill counters agree. */
	check_port_accounting();
	return overlapped >= RACE_FLOWS / 2;
}

/* Rounds until one really ran side by side (a busy CPU can fall behind
 * the other for a whole round). */
static void race_same_flows(const struct row *r)
{
	int round;

	(void)r;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("      one CPU online: nothing to race\n");
		return;
	}
	for (round = 0; round < 3; round++)
		if (race_round(ip4("100.64.2.1") + htonl((uint32_t)round)))
			return;
	fx_fail("in 3 rounds the two CPUs' test runs of the same flows rarely overlapped");
}

static const struct row rows[] = {
	A_FIRST_MAPPING("table: A's mapping", "t_a"),
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
	{ "table: two CPUs creating the same 400 mappings at once get one of each, same port",
	  .action = race_same_flows },
};

const struct group fx_table = GROUP("session table: limit, deletion, reuse", TABLE_CONFIG, rows);
