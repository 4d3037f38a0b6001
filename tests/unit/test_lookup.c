/* Unit tests for user/lookup.c over crafted log directories: block edges,
 * port reuse, the closed [alloc, release] interval, windows, checkpoints
 * cut by a crash, late events after a restart, torn lines, deterministic
 * epochs, session mode and the protocol filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testdir.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "evlog_format.h"
#include "lookup.h"
#include "subdb.h"
#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define MIN (60 * NS)
#define HOUR (3600 * NS)
#define T0 (1795168800ULL * NS) /* 2026-11-20T10:00:00Z */
#define PUB 0xc6336407u           /* 198.51.100.7 */
#define SUB(n) (0x64400000u + (n)) /* 100.64.0.n */

static char dir[64];
static char text[1 << 16];
static size_t text_len;
static struct lookup_result res;

static int setup(void **state)
{
	(void)state;
	text_len = 0;
	return testdir_make(dir, sizeof(dir), "test_lookup");
}

static int teardown(void **state)
{
	(void)state;
	lookup_result_free(&res);
	testdir_remove(dir);
	return 0;
}

/* ---- building files ----------------------------------------------------- */

static void raw(const char *s)
{
	size_t n = strlen(s);

	assert_true(text_len + n < sizeof(text));
	memcpy(text + text_len, s, n);
	text_len += n;
}

static void marker(unsigned type, uint64_t t)
{
	char line[EVLOG_LINE_MAX];
	int n = evlog_format_marker(line, sizeof(line), type, t, 0);

	line[n] = '\0';
	raw(line);
}

static void ckpt_begin(uint64_t t)
{
	marker(EVLOG_EV_CHECKPOINT_BEGIN, t);
}

static void ckpt_end(uint64_t t)
{
	marker(EVLOG_EV_CHECKPOINT_END, t);
}

static void event(const struct cgnat_event *ev, uint64_t t, const char *id)
{
	char line[EVLOG_LINE_MAX];
	int n = evlog_format_event(line, sizeof(line), ev, t, id, false);

	assert_true(n > 0);
	line[n] = '\0';
	raw(line);
}

/* A block [first, first + 255] of PUB for subscriber n. */
static void blk(unsigned type, uint64_t t, unsigned n, uint16_t first)
{
	struct cgnat_event ev = { .type = (uint8_t)type };
	char id[16];

	ev.seq = type >= 240 ? 0 : t / NS;
	ev.inside_ip = htonl(SUB(n));
	ev.outside_ip = htonl(PUB);
	ev.outside_port = htons(first);
	ev.outside_port_last = htons((uint16_t)(first + 255));
	snprintf(id, sizeof(id), "cust-%u", n);
	event(&ev, t, id);
}

static void ses(unsigned type, uint64_t t, uint8_t proto, unsigned n, uint16_t in_port,
		uint16_t out_port)
{
	struct cgnat_event ev = { .type = (uint8_t)type, .proto = proto };
	char id[16];

	ev.seq = type >= 240 ? 0 : t / NS;
	ev.inside_ip = htonl(SUB(n));
	ev.inside_port = htons(in_port);
	ev.outside_ip = htonl(PUB);
	ev.outside_port = htons(out_port);
	ev.outside_port_last = ev.outside_port;
	snprintf(id, sizeof(id), "cust-%u", n);
	event(&ev, t, id);
}

/* Write the collected text as dir/name (gzip when the name ends in .gz). */
static void save(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (strstr(name, ".gz")) {
		gzFile gz = gzopen(p, "wb");

		assert_non_null(gz);
		assert_int_equal(gzwrite(gz, text, (unsigned)text_len), (int)text_len);
		gzclose(gz);
	} else {
		FILE *f = fopen(p, "w");

		assert_non_null(f);
		assert_int_equal(fwrite(text, 1, text_len, f), text_len);
		fclose(f);
	}
	text_len = 0;
}

/* ---- querying ----------------------------------------------------------- */

static enum lookup_status ask(uint16_t port, uint8_t proto, uint64_t t, uint64_t window)
{
	struct lookup_query q = { .ip = PUB, .port = port, .proto = proto, .time_ns = t,
				  .window_ns = window, .now_ns = T0 + 24 * HOUR };

	lookup_result_free(&res);
	return lookup_run(dir, &q, &res);
}

static void expect_owner(uint16_t port, uint8_t proto, uint64_t t, uint64_t window, unsigned n)
{
	char id[16];

	snprintf(id, sizeof(id), "cust-%u", n);
	if (ask(port, proto, t, window) != LOOKUP_MATCH)
		print_error("port %u at T0%+.3fs: status %d (%u owners), wanted %s; %s\n", port,
			    ((double)t - (double)T0) / 1e9, res.status, res.n_owners_total, id,
			    res.error);
	assert_int_equal(res.status, LOOKUP_MATCH);
	assert_int_equal(res.n_owners, 1);
	assert_string_equal(res.owners[0].subscriber, id);
	assert_int_equal(res.owners[0].inside_ip, SUB(n));
	assert_true(res.n_evidence >= 1);
}

static bool has_evidence(const char *phrase)
{
	for (unsigned i = 0; i < res.n_evidence; i++)
		if (strstr(res.evidence[i], phrase))
			return true;
	return false;
}

static void expect_none(uint16_t port, uint8_t proto, uint64_t t, uint64_t window)
{
	if (ask(port, proto, t, window) != LOOKUP_NO_MATCH)
		print_error("port %u at T0%+.3fs: status %d, owner %s\n", port,
			    ((double)t - (double)T0) / 1e9, res.status,
			    res.n_owners ? res.owners[0].subscriber : "-");
	assert_int_equal(res.status, LOOKUP_NO_MATCH);
	assert_int_equal(res.n_owners, 0);
}

/* ---- a pba history --------------------------------------------------------
 * file 10:00 (gz): checkpoint (empty); cust-1 gets 1024-1279 at 10:00:10,
 *   gives it back at 10:20; cust-2 takes the same block at 10:30.
 * file 11:00: checkpoint says cust-2 holds it; released 11:10; cust-3
 *   takes it at 11:20.
 */
static void pba_history(void)
{
	ckpt_begin(T0);
	ckpt_end(T0);
	blk(CGNAT_EV_BLOCK_ALLOC, T0 + 10 * NS, 1, 1024);
	blk(CGNAT_EV_BLOCK_ALLOC, T0 + 11 * NS, 9, 1280);
	blk(CGNAT_EV_BLOCK_RELEASE, T0 + 20 * MIN, 1, 1024);
	blk(CGNAT_EV_BLOCK_ALLOC, T0 + 30 * MIN, 2, 1024);
	save("cgnat-20261120T100000Z.jsonl.gz");
	ckpt_begin(T0 + HOUR);
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + HOUR, 9, 1280);
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + HOUR, 2, 1024);
	ckpt_end(T0 + HOUR);
	blk(CGNAT_EV_BLOCK_RELEASE, T0 + 70 * MIN, 2, 1024);
	blk(CGNAT_EV_BLOCK_ALLOC, T0 + 80 * MIN, 3, 1024);
	save("cgnat-20261120T110000Z.jsonl");
}

static void test_block_edges(void **state)
{
	(void)state;
	pba_history();
	expect_owner(1024, 0, T0 + 15 * MIN, 0, 1);
	expect_owner(1279, 0, T0 + 15 * MIN, 0, 1);
	expect_owner(1280, 0, T0 + 15 * MIN, 0, 9); /* one past: the next block */
	expect_none(1023, 0, T0 + 15 * MIN, 0);
	expect_none(1536, 0, T0 + 15 * MIN, 0);
	/* blocks cover every protocol */
	expect_owner(1100, 6, T0 + 15 * MIN, 0, 1);
	expect_owner(1100, 17, T0 + 15 * MIN, 0, 1);
	expect_owner(1100, 1, T0 + 15 * MIN, 0, 1);
	assert_string_equal(res.owners[0].source, "pba");
	assert_int_equal(res.owners[0].inside_port, 0);
	assert_int_equal(res.owners[0].from_ns, T0 + 10 * NS);
	assert_int_equal(res.owners[0].to_ns, T0 + 20 * MIN);
	assert_int_equal(res.n_evidence, 2); /* the alloc and the release lines */
	assert_non_null(strstr(res.evidence[0], "\"event\":\"block_alloc\""));
	assert_non_null(strstr(res.evidence[1], "\"event\":\"block_release\""));
	/* another public address */
	{
		struct lookup_query q = { .ip = PUB + 1, .port = 1100, .time_ns = T0 + 15 * MIN,
					  .now_ns = T0 + 24 * HOUR };

		lookup_result_free(&res);
		assert_int_equal(lookup_run(dir, &q, &res), LOOKUP_NO_MATCH);
	}
}

static void test_reuse_and_interval_edges(void **state)
{
	(void)state;
	pba_history();
	expect_owner(1024, 0, T0 + 40 * MIN, 0, 2);   /* reused by another subscriber */
	expect_owner(1024, 0, T0 + 10 * NS, 0, 1);    /* exactly at alloc: owned */
	expect_none(1024, 0, T0 + 10 * NS - 1, 0);    /* 1 ns before */
	expect_owner(1024, 0, T0 + 20 * MIN, 0, 1);   /* exactly at release: still owned */
	expect_none(1024, 0, T0 + 20 * MIN + 1, 0);   /* 1 ns after */
	expect_none(1024, 0, T0 + 30 * MIN - 1, 0);
	expect_owner(1024, 0, T0 + 30 * MIN, 0, 2);
	expect_owner(1024, 0, T0 + 85 * MIN, 0, 3);
	assert_int_equal(res.owners[0].to_ns, LOOKUP_OPEN_END); /* still held at the end */
}

static void test_windows(void **state)
{
	(void)state;
	pba_history();
	/* [19m, 31m] meets cust-1 (until 20m) and cust-2 (from 30m) */
	assert_int_equal(ask(1024, 0, T0 + 25 * MIN, 6 * MIN), LOOKUP_AMBIGUOUS);
	assert_int_equal(res.n_owners, 2);
	assert_int_equal(res.n_owners_total, 2);
	assert_string_equal(res.owners[0].subscriber, "cust-1");
	assert_string_equal(res.owners[1].subscriber, "cust-2");
	/* [21m, 29m] falls between them */
	expect_none(1024, 0, T0 + 25 * MIN, 4 * MIN);
	assert_true(res.n_evidence >= 2); /* the neighbours, for the operator */
	/* window edges are closed: [20m, 30m] touches both */
	assert_int_equal(ask(1024, 0, T0 + 25 * MIN, 5 * MIN), LOOKUP_AMBIGUOUS);
	/* the same owner on both sides of a file boundary is one answer */
	expect_owner(1024, 0, T0 + HOUR, 5 * MIN, 2);
	/* spanning the release at 11:10 and the next owner at 11:20 */
	assert_int_equal(ask(1024, 0, T0 + 75 * MIN, 5 * MIN), LOOKUP_AMBIGUOUS);
}

static void test_checkpoint_reads_one_file(void **state)
{
	(void)state;
	pba_history();
	expect_owner(1024, 0, T0 + 65 * MIN, 0, 2);
	assert_int_equal(res.files_read, 1); /* the 11:00 checkpoint is enough */
	assert_int_equal(res.owners[0].from_ns, T0 + HOUR);
	assert_int_equal(res.owners[0].to_ns, T0 + 70 * MIN);
	expect_none(1024, 0, T0 + 75 * MIN, 0);
	expect_owner(1024, 0, T0 + 5 * MIN + 10 * NS, 5 * MIN, 1);
	assert_int_equal(res.files_read, 2); /* 10:00 and the one after it */
}

static void test_torn_and_garbage_lines(void **state)
{
	(void)state;
	pba_history();
	ckpt_begin(T0 + 2 * HOUR);
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + 2 * HOUR, 3, 1024);
	ckpt_end(T0 + 2 * HOUR);
	raw("not json at all\n");
	/* a record for this address that lacks fields must not be half-used */
	raw("{\"seq\":77,\"time\":\"2026-11-20T12:05:00Z\",\"event\":\"block_release\","
	    "\"outside_ip\":\"198.51.100.7\",\"outside_port_first\":1024}\n");
	blk(CGNAT_EV_BLOCK_RELEASE, T0 + 2 * HOUR + 10 * MIN, 3, 1024);
	raw("{\"seq\":99,\"time\":\"2026-11-20T12:20:00.000000000Z\",\"event\":\"block_al");
	save("cgnat-20261120T120000Z.jsonl");
	expect_owner(1024, 0, T0 + 2 * HOUR + 5 * MIN, 0, 3);
	assert_int_equal(res.bad_lines, 3);
	expect_none(1024, 0, T0 + 2 * HOUR + 15 * MIN, 0);
}

/* The 12:00 file was cut by a crash inside its checkpoint: it lists cust-9
 * but not cust-3, who still holds 1024. Lookup must not trust it and read
 * 11:00 as well. */
static void test_missing_checkpoint_end(void **state)
{
	(void)state;
	pba_history();
	ckpt_begin(T0 + 2 * HOUR);
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + 2 * HOUR, 9, 1280);
	save("cgnat-20261120T120000Z.jsonl.gz");
	ckpt_begin(T0 + 2 * HOUR + 5 * MIN); /* the restarted agent */
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + 2 * HOUR + 5 * MIN, 3, 1024);
	ckpt_end(T0 + 2 * HOUR + 5 * MIN);
	save("cgnat-20261120T120500Z.jsonl");
	expect_owner(1024, 0, T0 + 2 * HOUR + 2 * MIN, 0, 3);
	assert_int_equal(res.files_read, 3); /* 12:00, then 11:00, and 12:05 after it */
	assert_int_equal(res.owners[0].from_ns, T0 + 80 * MIN);
	expect_owner(1280, 0, T0 + 2 * HOUR + 2 * MIN, 0, 9);
}

/* After a restart, events that waited in the ring buffer are written after
 * the new file's checkpoint, with their own earlier time. */
static void test_late_events_in_next_file(void **state)
{
	(void)state;
	pba_history();
	/* 11:00 file ended by a crash at 11:30; cust-4 got 1536 at 11:29 and
	 * cust-3 gave back 1024 at 11:29:30, but those events were still in
	 * the ring. The agent came back at 12:00. */
	ckpt_begin(T0 + 2 * HOUR);
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + 2 * HOUR, 4, 1536);
	blk(CGNAT_EV_BLOCK_ACTIVE, T0 + 2 * HOUR, 9, 1280);
	ckpt_end(T0 + 2 * HOUR);
	blk(CGNAT_EV_BLOCK_ALLOC, T0 + 89 * MIN, 4, 1536);
	blk(CGNAT_EV_BLOCK_RELEASE, T0 + 89 * MIN + 30 * NS, 3, 1024);
	save("cgnat-20261120T120000Z.jsonl");
	expect_owner(1536, 0, T0 + 89 * MIN + 10 * NS, 0, 4);
	assert_int_equal(res.owners[0].from_ns, T0 + 89 * MIN);
	expect_none(1536, 0, T0 + 88 * MIN, 0);
	expect_owner(1024, 0, T0 + 89 * MIN, 0, 3);
	assert_int_equal(res.owners[0].to_ns, T0 + 89 * MIN + 30 * NS);
	expect_none(1024, 0, T0 + 100 * MIN, 0);
}

static void test_session_mode_and_proto(void **state)
{
	(void)state;
	ckpt_begin(T0);
	ses(CGNAT_EV_SESSION_ACTIVE, T0, 6, 9, 5000, 40000);
	ckpt_end(T0);
	ses(CGNAT_EV_SESSION_CREATE, T0 + 5 * MIN, 17, 10, 6000, 40000);
	ses(CGNAT_EV_SESSION_DELETE, T0 + 10 * MIN, 6, 9, 5000, 40000);
	ses(CGNAT_EV_SESSION_CREATE, T0 + 20 * MIN, 6, 11, 7000, 40000);
	ses(CGNAT_EV_SESSION_CREATE, T0 + 20 * MIN, 6, 12, 7000, 40001);
	save("cgnat-20261120T100000Z.jsonl");
	expect_owner(40000, 6, T0 + 7 * MIN, 0, 9);
	assert_int_equal(res.owners[0].inside_port, 5000);
	assert_int_equal(res.owners[0].proto, 6);
	assert_string_equal(res.owners[0].source, "session");
	expect_owner(40000, 17, T0 + 7 * MIN, 0, 10);
	assert_int_equal(res.owners[0].inside_port, 6000);
	assert_int_equal(ask(40000, 0, T0 + 7 * MIN, 0), LOOKUP_AMBIGUOUS); /* any protocol */
	expect_none(40000, 1, T0 + 7 * MIN, 0);
	expect_owner(40000, 6, T0 + 10 * MIN, 0, 9); /* delete time is inclusive */
	expect_none(40000, 6, T0 + 15 * MIN, 0);
	expect_owner(40000, 6, T0 + 25 * MIN, 0, 11);
	assert_int_equal(res.owners[0].inside_port, 7000);
	expect_owner(40001, 6, T0 + 25 * MIN, 0, 12);
	expect_none(40002, 0, T0 + 25 * MIN, 0);
}

/* ---- deterministic mode -------------------------------------------------- */

static void epoch_line(uint64_t t, unsigned epoch, const char *mode, uint32_t pool_last,
		       uint32_t bs, uint32_t bpi, uint8_t prefix_len)
{
	struct evlog_epoch e = { .epoch = epoch, .port_min = 1024, .port_max = 65535,
				 .block_size = bs, .blocks_per_ip = bpi, .n_pool = 1,
				 .n_prefixes = 1 };
	char line[EVLOG_LINE_MAX];
	int n;

	snprintf(e.mode, sizeof(e.mode), "%s", mode);
	e.pool[0].first = 0xc6336400; /* 198.51.100.0 */
	e.pool[0].last = pool_last;
	e.prefixes[0].addr = 0x64400000;
	e.prefixes[0].len = prefix_len;
	n = evlog_format_epoch(line, sizeof(line), &e, t);
	line[n] = '\0';
	raw(line);
}

/* epoch 1 at 10:00: pool .0-.3 (P = 4), 16 subscribers 100.64.0.0/28,
 * 4 per address -> 16128 ports each, 4 blocks per address.
 * epoch 2 at 11:00: pool .0-.1 (P = 2) -> 8 per address, 8064 ports.
 * epoch 3 at 12:00: the operator switched to pba. */
static void det_history(void)
{
	epoch_line(T0, 1, "deterministic", 0xc6336403, 16128, 4, 28);
	raw("{\"time\":\"2026-11-20T10:30:00Z\",\"event\":\"config_ep\n"); /* torn */
	epoch_line(T0 + HOUR, 2, "deterministic", 0xc6336401, 8064, 8, 28);
	epoch_line(T0 + 2 * HOUR, 3, "pba", 0xc6336401, 256, 252, 28);
	save("epochs.jsonl");
}

static enum lookup_status ask_det(uint32_t ip, uint16_t port, uint64_t t, uint64_t w,
				  const struct subdb *db)
{
	struct lookup_query q = { .ip = ip, .port = port, .time_ns = t, .window_ns = w,
				  .subdb = db, .now_ns = T0 + 24 * HOUR };

	lookup_result_free(&res);
	return lookup_run(dir, &q, &res);
}

static void test_deterministic(void **state)
{
	char path[128], err[256];
	struct subdb *db;
	FILE *f;

	(void)state;
	det_history();
	/* 198.51.100.2 port 1024 + 3 * 16128 + 5: n = 3, k = 3 * 4 + 2 = 14 */
	assert_int_equal(ask_det(0xc6336402, 1024 + 3 * 16128 + 5, T0 + 30 * MIN, 0, NULL),
			 LOOKUP_MATCH);
	assert_string_equal(res.owners[0].subscriber, "100.64.0.14");
	assert_int_equal(res.owners[0].inside_ip, SUB(14));
	assert_string_equal(res.owners[0].source, "deterministic");
	assert_int_equal(res.owners[0].from_ns, T0);
	assert_int_equal(res.owners[0].to_ns, T0 + HOUR - 1);
	assert_int_equal(res.bad_lines, 1);
	assert_true(res.n_evidence >= 2);
	assert_non_null(strstr(res.evidence[0], "\"event\":\"config_epoch\""));
	assert_non_null(strstr(res.evidence[1], "subscriber index 14 = 100.64.0.14"));

	/* ids from the subscriber database */
	snprintf(path, sizeof(path), "%s/subs.csv", dir);
	f = fopen(path, "w");
	fputs("100.64.0.14,det-14\n", f);
	fclose(f);
	db = subdb_load(path, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(ask_det(0xc6336402, 1024 + 3 * 16128 + 5, T0 + 30 * MIN, 0, db),
			 LOOKUP_MATCH);
	assert_string_equal(res.owners[0].subscriber, "det-14");
	subdb_free(db);
	unlink(path);

	/* epoch 2 is in force from exactly 11:00: .2 left the pool */
	assert_int_equal(ask_det(0xc6336402, 1024, T0 + HOUR, 0, NULL), LOOKUP_NO_MATCH);
	assert_int_equal(ask_det(0xc6336402, 1024, T0 + HOUR - 1, 0, NULL), LOOKUP_MATCH);
	/* .1 port 1024 + 2 * 8064: n = 2, k = 2 * 2 + 1 = 5 */
	assert_int_equal(ask_det(0xc6336401, 1024 + 2 * 8064, T0 + 90 * MIN, 0, NULL),
			 LOOKUP_MATCH);
	assert_string_equal(res.owners[0].subscriber, "100.64.0.5");
	/* .1 port 1024 is subscriber 1 in both epochs: one answer across the change */
	assert_int_equal(ask_det(0xc6336401, 1024, T0 + HOUR, 10 * MIN, NULL), LOOKUP_MATCH);
	assert_string_equal(res.owners[0].subscriber, "100.64.0.1");
	/* .1 port 1024 + 8064: k = 1 in epoch 1, k = 3 in epoch 2 */
	assert_int_equal(ask_det(0xc6336401, 1024 + 8064, T0 + HOUR, 10 * MIN, NULL),
			 LOOKUP_AMBIGUOUS);
	assert_int_equal(res.n_owners, 2);
	assert_string_equal(res.owners[0].subscriber, "100.64.0.1");
	assert_string_equal(res.owners[1].subscriber, "100.64.0.3");
	/* ports below the range, before the first epoch, after the switch to pba */
	assert_int_equal(ask_det(0xc6336401, 1000, T0 + 30 * MIN, 0, NULL), LOOKUP_NO_MATCH);
	assert_int_equal(ask_det(0xc6336401, 1024, T0 - 1, 0, NULL), LOOKUP_NO_MATCH);
	assert_int_equal(ask_det(0xc6336401, 1024, T0 + 150 * MIN, 0, NULL), LOOKUP_NO_MATCH);
}

static void test_deterministic_index_beyond_subscribers(void **state)
{
	(void)state;
	/* 8 subscribers (/29) but 4 addresses x 4 blocks = 16 slots */
	epoch_line(T0, 1, "deterministic", 0xc6336403, 16128, 4, 29);
	save("epochs.jsonl");
	/* .0 block 3: k = 12 >= 8 */
	assert_int_equal(ask_det(0xc6336400, 1024 + 3 * 16128, T0 + MIN, 0, NULL),
			 LOOKUP_NO_MATCH);
	assert_true(has_evidence("only 8 subscribers"));
	/* .3 block 1: k = 7, the last one */
	assert_int_equal(ask_det(0xc6336403, 1024 + 16128, T0 + MIN, 0, NULL), LOOKUP_MATCH);
	assert_string_equal(res.owners[0].subscriber, "100.64.0.7");
}

static void test_errors_and_empty(void **state)
{
	struct lookup_query q = { .ip = PUB, .port = 1024, .time_ns = T0, .now_ns = T0 + HOUR };

	(void)state;
	assert_int_equal(lookup_run("/nonexistent/cgnat", &q, &res), LOOKUP_ERROR);
	assert_non_null(strstr(res.error, "cannot read log directory /nonexistent/cgnat"));
	assert_non_null(strstr(res.error, "; hint: "));
	lookup_result_free(&res);
	assert_int_equal(lookup_run(dir, &q, &res), LOOKUP_NO_MATCH);
	assert_non_null(strstr(res.evidence[0], "no log files"));

	pba_history();
	expect_none(1024, 0, T0 - HOUR, 0);
	assert_non_null(strstr(res.evidence[0], "the logs cover 2026-11-20T10:00:00"));
	/* a damaged archive is an error, not a silent gap */
	raw("this is not gzip");
	save("cgnat-20261120T100000Z.jsonl.gz.x"); /* not a log name: ignored */
	{
		char p[256];
		FILE *f;

		snprintf(p, sizeof(p), "%s/cgnat-20261120T100000Z.jsonl.gz", dir);
		f = fopen(p, "w");
		fputs("\x1f\x8b\x08garbage", f);
		fclose(f);
	}
	assert_int_equal(ask(1024, 0, T0 + 15 * MIN, 0), LOOKUP_ERROR);
	assert_non_null(strstr(res.error, "cgnat-20261120T100000Z.jsonl.gz"));
	assert_non_null(strstr(res.error, "gzip -t"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_block_edges),
		T(test_reuse_and_interval_edges),
		T(test_windows),
		T(test_checkpoint_reads_one_file),
		T(test_torn_and_garbage_lines),
		T(test_missing_checkpoint_end),
		T(test_late_events_in_next_file),
		T(test_session_mode_and_proto),
		T(test_deterministic),
		T(test_deterministic_index_beyond_subscribers),
		T(test_errors_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
