/* Unit tests for user/evlog.c: file naming, rotation by size and by time,
 * compression that zlib reads back, retention, checkpoints, epochs, and
 * the crash guarantees (exactly once by seq, torn lines, failed writes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testdir.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "evlog.h"
#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define T0 (1795168800ULL * NS) /* 2026-11-20T10:00:00Z */
#define DAY (86400ULL * NS)

static char dir[64];

static int setup(void **state)
{
	(void)state;
	return testdir_make(dir, sizeof(dir), "test_evlog");
}

static int teardown(void **state)
{
	(void)state;
	testdir_remove(dir);
	return 0;
}

static struct evlog_opts opts(uint64_t start)
{
	return (struct evlog_opts){ .rotate_size = 256 << 20, .rotate_interval = 3600,
				    .retention_days = 180, .start_ns = start };
}

static struct cgnat_event block_ev(uint64_t seq, uint32_t sub)
{
	struct cgnat_event ev = { 0 };

	ev.seq = seq;
	ev.type = CGNAT_EV_BLOCK_ALLOC;
	ev.inside_ip = htonl(0x64400000 + sub);
	ev.outside_ip = htonl(0xc6336407);
	ev.outside_port = htons(1024);
	ev.outside_port_last = htons(1279);
	return ev;
}

static void write_seqs(struct evlog *log, uint64_t from, uint64_t to, uint64_t t)
{
	for (uint64_t s = from; s <= to; s++) {
		struct cgnat_event ev = block_ev(s, (uint32_t)s);

		assert_true(evlog_write(log, &ev, t + s, NULL) >= 0);
	}
}

static bool exists(const char *name)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static void write_raw(const char *name, const char *text, size_t len)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Every line of every log file, in order, via the module's own reader. */
struct all_lines {
	char *text;
	size_t len;
	unsigned files, gz_files;
};

static struct all_lines read_all(void)
{
	struct all_lines a = { 0 };
	struct evlog_file *f;
	size_t n;

	assert_int_equal(evlog_list_files(dir, &f, &n), 0);
	for (size_t i = 0; i < n; i++) {
		char *d;
		size_t len;

		assert_int_equal(evlog_read_file(dir, &f[i], &d, &len), 0);
		a.text = realloc(a.text, a.len + len + 1);
		memcpy(a.text + a.len, d, len + 1);
		a.len += len;
		a.files++;
		a.gz_files += f[i].gz;
		free(d);
	}
	free(f);
	if (!a.text)
		a.text = calloc(1, 1);
	return a;
}

/* How often each seq 1..max occurs across the directory. */
static void count_seqs(unsigned *count, uint64_t max, unsigned *bad)
{
	struct all_lines a = read_all();
	char *p = a.text, *nl;
	struct evlog_record r;

	memset(count, 0, (max + 1) * sizeof(*count));
	*bad = 0;
	for (; (nl = strchr(p, '\n')); p = nl + 1) {
		if (evlog_parse_line(p, (size_t)(nl - p), &r, NULL) < 0) {
			(*bad)++;
			continue;
		}
		if (r.seq && r.seq <= max)
			count[r.seq]++;
	}
	free(a.text);
}

static void test_names_and_content(void **state)
{
	struct evlog_opts o = opts(T0 + 123456789);
	struct evlog *log = evlog_open(dir, &o);
	struct evlog_stats st;
	struct all_lines a;
	struct evlog_record r;

	(void)state;
	assert_non_null(log);
	assert_non_null(strstr(evlog_current_path(log), "/cgnat-20261120T100000Z.jsonl"));
	write_seqs(log, 1, 3, T0);
	evlog_get_stats(log, &st);
	assert_int_equal(st.events_written, 3);
	assert_true(st.pending_bytes > 0);
	assert_int_equal(st.bytes_written, 0);
	assert_int_equal(evlog_flush(log), 0);
	assert_int_equal(evlog_sync(log), 0);
	evlog_get_stats(log, &st);
	assert_int_equal(st.pending_bytes, 0);
	assert_true(st.bytes_written > 0);
	assert_int_equal(evlog_close(log), 0);

	/* Every start is a new file; the same second gets a suffix. */
	log = evlog_open(dir, &o);
	assert_non_null(strstr(evlog_current_path(log), "/cgnat-20261120T100000Z-1.jsonl"));
	/* A clock that went backwards never names a file before the newest. */
	assert_int_equal(evlog_rotate(log, T0 - DAY), 0);
	assert_non_null(strstr(evlog_current_path(log), "/cgnat-20261120T100000Z-2.jsonl"));
	assert_int_equal(evlog_close(log), 0);

	a = read_all();
	assert_int_equal(a.files, 3);
	assert_int_equal(a.gz_files, 2); /* the first two were closed */
	assert_int_equal(evlog_parse_line(a.text, (size_t)(strchr(a.text, '\n') - a.text), &r, NULL), 0);
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.time_ns, T0 + 1);
	assert_string_equal(r.subscriber, "100.64.0.1");
	free(a.text);
	assert_true(exists("cgnat-20261120T100000Z.jsonl.gz"));
	assert_false(exists("cgnat-20261120T100000Z.jsonl"));
	assert_true(exists("cgnat-20261120T100000Z-2.jsonl"));
}

static void test_list_order(void **state)
{
	struct evlog_file *f;
	size_t n;

	(void)state;
	write_raw("cgnat-20261120T100000Z-10.jsonl.gz", "", 0);
	write_raw("cgnat-20261120T100000Z-2.jsonl.gz", "", 0);
	write_raw("cgnat-20261120T100000Z.jsonl.gz", "", 0);
	write_raw("cgnat-20261120T090000Z.jsonl", "", 0);
	write_raw("cgnat-20261120T090000Z.jsonl.gz", "", 0);
	write_raw("cgnat-20261120T100000Z-01.jsonl", "", 0);
	write_raw("cgnat-20261120T100000Z.jsonl.gz.tmp", "", 0);
	write_raw("cgnat-2026112OT100000Z.jsonl", "", 0);
	write_raw("epochs.jsonl", "", 0);
	write_raw("notes.txt", "", 0);
	assert_int_equal(evlog_list_files(dir, &f, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(f[0].name, "cgnat-20261120T090000Z.jsonl.gz");
	assert_true(f[0].gz);
	assert_string_equal(f[1].name, "cgnat-20261120T100000Z.jsonl.gz");
	assert_int_equal(f[1].start_ns, T0);
	assert_string_equal(f[2].name, "cgnat-20261120T100000Z-2.jsonl.gz");
	assert_int_equal(f[2].n, 2);
	assert_string_equal(f[3].name, "cgnat-20261120T100000Z-10.jsonl.gz");
	free(f);
	assert_int_equal(evlog_list_files("/nonexistent/dir", &f, &n), -1);
}

static void test_rotate_by_size(void **state)
{
	struct evlog_opts o = opts(T0);
	struct evlog *log;
	unsigned count[1001], bad;
	uint64_t seq = 0;
	int rotations = 0;

	(void)state;
	o.rotate_size = 4096;
	log = evlog_open(dir, &o);
	assert_non_null(log);
	/* A checkpoint alone never triggers a size rotation (it would loop). */
	evlog_begin_checkpoint(log);
	for (int i = 0; i < 40; i++) {
		struct cgnat_event ev = block_ev(0, (uint32_t)i);

		ev.type = CGNAT_EV_BLOCK_ACTIVE;
		assert_int_equal(evlog_write(log, &ev, T0, "c"), 0);
	}
	evlog_end_checkpoint(log);
	assert_int_equal(evlog_flush(log), 0);
	assert_false(evlog_need_rotate(log, T0 + NS));
	while (seq < 1000) {
		write_seqs(log, seq + 1, seq + 10, T0);
		seq += 10;
		assert_int_equal(evlog_flush(log), 0);
		if (evlog_need_rotate(log, T0 + seq)) {
			assert_int_equal(evlog_rotate(log, T0 + seq * NS), 0);
			rotations++;
		}
	}
	assert_int_equal(evlog_close(log), 0);
	assert_true(rotations >= 40);
	count_seqs(count, 1000, &bad);
	assert_int_equal(bad, 0);
	for (int s = 1; s <= 1000; s++)
		assert_int_equal(count[s], 1);
}

static void test_rotate_by_time(void **state)
{
	struct evlog_opts o = opts(T0 + 5 * NS);
	struct evlog *log = evlog_open(dir, &o);

	(void)state;
	assert_false(evlog_need_rotate(log, T0 + 5 * NS));
	assert_false(evlog_need_rotate(log, T0 + 3605 * NS - 1));
	assert_true(evlog_need_rotate(log, T0 + 3605 * NS)); /* even with nothing written */
	assert_int_equal(evlog_rotate(log, T0 + 3605 * NS), 0);
	assert_non_null(strstr(evlog_current_path(log), "/cgnat-20261120T110005Z.jsonl"));
	assert_false(evlog_need_rotate(log, T0 + 3605 * NS));
	assert_true(evlog_need_rotate(log, T0 + 7205 * NS));
	assert_int_equal(evlog_close(log), 0);
	assert_true(exists("cgnat-20261120T100005Z.jsonl.gz"));
	assert_true(exists("cgnat-20261120T110005Z.jsonl"));
}

/* The .gz files are plain gzip: zlib's gz* API (what zcat uses) reads them. */
static void test_gzip_round_trip(void **state)
{
	struct evlog_opts o = opts(T0);
	struct evlog *log = evlog_open(dir, &o);
	char expect[1 << 16], got[1 << 16], gzpath[300], plain[256];
	size_t elen;
	int fd, n;
	gzFile gz;
	struct evlog_file f = { .gz = true };
	char *data;
	size_t len;

	(void)state;
	write_seqs(log, 1, 200, T0);
	assert_int_equal(evlog_flush(log), 0);
	snprintf(plain, sizeof(plain), "%s", evlog_current_path(log));
	fd = open(plain, O_RDONLY);
	elen = (size_t)read(fd, expect, sizeof(expect));
	close(fd);
	assert_true(elen > 10000);
	assert_int_equal(evlog_rotate(log, T0 + 3600 * NS), 0);
	assert_int_equal(evlog_close(log), 0);

	snprintf(gzpath, sizeof(gzpath), "%s.gz", plain);
	gz = gzopen(gzpath, "rb");
	assert_non_null(gz);
	assert_int_equal(gzdirect(gz), 0);
	n = gzread(gz, got, sizeof(got));
	gzclose(gz);
	assert_int_equal(n, (int)elen);
	assert_memory_equal(got, expect, elen);

	snprintf(f.name, sizeof(f.name), "%s", strrchr(gzpath, '/') + 1);
	assert_int_equal(evlog_read_file(dir, &f, &data, &len), 0);
	assert_int_equal(len, elen);
	assert_memory_equal(data, expect, elen);
	free(data);

	/* A damaged archive is an error, not a short file. */
	fd = open(gzpath, O_RDWR);
	assert_int_equal(ftruncate(fd, 200), 0);
	close(fd);
	assert_int_equal(evlog_read_file(dir, &f, &data, &len), -1);
	assert_int_equal(errno, EBADMSG);
}

static void test_retention(void **state)
{
	struct evlog_opts o = opts(T0);
	struct evlog *log = evlog_open(dir, &o);
	struct evlog_epoch e = { .epoch = 1, .mode = "pba", .port_min = 1024, .port_max = 65535,
				 .block_size = 256, .blocks_per_ip = 252 };
	struct evlog_stats st;
	struct evlog_file *f;
	size_t n;

	(void)state;
	assert_int_equal(evlog_write_epoch(log, &e, T0), 0);
	for (int d = 1; d <= 10; d++)
		assert_int_equal(evlog_rotate(log, T0 + (uint64_t)d * DAY), 0);
	assert_int_equal(evlog_close(log), 0);
	o.retention_days = 3;
	o.start_ns = T0 + 10 * DAY + 3600 * NS;
	log = evlog_open(dir, &o); /* queues day 10 for compression */
	do {
		evlog_get_stats(log, &st);
		usleep(1000);
	} while (st.compress_queued);
	/* day k ends at day k + 1: deleted when k + 1 + 3 days < 10 d 1 h, so days 0..6 */
	assert_int_equal(evlog_retention(log, T0 + 10 * DAY + 3600 * NS), 7);
	assert_int_equal(evlog_retention(log, T0 + 10 * DAY + 3600 * NS), 0);
	assert_int_equal(evlog_list_files(dir, &f, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(f[0].name, "cgnat-20261127T100000Z.jsonl.gz");
	assert_string_equal(f[3].name, "cgnat-20261130T100000Z.jsonl.gz");
	assert_string_equal(f[4].name, "cgnat-20261130T110000Z.jsonl");
	free(f);
	/* Far in the future everything closed goes, never the current file or epochs. */
	assert_int_equal(evlog_retention(log, T0 + 1000 * DAY), 4);
	assert_true(exists("cgnat-20261130T110000Z.jsonl"));
	assert_true(exists("epochs.jsonl"));
	assert_int_equal(evlog_close(log), 0);
}

/* A first agent writes and flushes seqs 1..100 and is killed; the next one
 * gets 50..150 again from the ring buffer: each seq must be written once. */
static void test_dedupe_after_crash(void **state)
{
	unsigned count[151], bad;
	struct evlog_opts o = opts(T0);
	struct evlog *log;
	struct evlog_stats st;
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log = evlog_open(dir, &o);
		if (!log)
			_exit(1);
		write_seqs(log, 1, 100, T0);
		if (evlog_flush(log) < 0)
			_exit(1);
		write_seqs(log, 101, 120, T0); /* buffered only: lost with the process */
		raise(SIGKILL);
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	o.start_ns = T0 + 60 * NS;
	log = evlog_open(dir, &o);
	assert_non_null(log);
	evlog_begin_checkpoint(log);
	{
		struct cgnat_event ev = block_ev(0, 1); /* checkpoints are never deduped */

		ev.type = CGNAT_EV_BLOCK_ACTIVE;
		assert_int_equal(evlog_write(log, &ev, T0 + 60 * NS, "c"), 0);
	}
	evlog_end_checkpoint(log);
	for (uint64_t s = 50; s <= 150; s++) {
		struct cgnat_event ev = block_ev(s, (uint32_t)s);

		assert_int_equal(evlog_write(log, &ev, T0 + s, NULL), s <= 100 ? 1 : 0);
	}
	evlog_get_stats(log, &st);
	assert_int_equal(st.duplicates, 51);
	assert_int_equal(evlog_close(log), 0);
	count_seqs(count, 150, &bad);
	assert_int_equal(bad, 0);
	for (int s = 1; s <= 150; s++)
		assert_int_equal(count[s], 1);

	/* A dataplane created afresh restarts seqs: the agent drops the set. */
	o.start_ns = T0 + 120 * NS;
	log = evlog_open(dir, &o);
	evlog_reset_dedupe(log);
	write_seqs(log, 1, 1, T0 + 120 * NS);
	evlog_get_stats(log, &st);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(evlog_close(log), 0);
}

static void test_torn_last_line(void **state)
{
	char line[EVLOG_LINE_MAX], text[2 * EVLOG_LINE_MAX];
	struct cgnat_event a = block_ev(7, 7), b = block_ev(8, 8);
	int na = evlog_format_event(line, sizeof(line), &a, T0, NULL, false), nb;
	struct evlog_opts o = opts(T0 + NS);
	struct evlog *log;
	unsigned count[9], bad;

	(void)state;
	memcpy(text, line, (size_t)na);
	nb = evlog_format_event(line, sizeof(line), &b, T0, NULL, false);
	memcpy(text + na, line, (size_t)nb / 2); /* the crash cut seq 8 in half */
	write_raw("cgnat-20261120T090000Z.jsonl", text, (size_t)na + (size_t)nb / 2);
	write_raw("epochs.jsonl", "{\"time\":\"2026", 13);

	log = evlog_open(dir, &o);
	assert_non_null(log);
	assert_int_equal(evlog_write(log, &a, T0, NULL), 1); /* complete: already logged */
	assert_int_equal(evlog_write(log, &b, T0, NULL), 0); /* torn: logged again */
	assert_int_equal(evlog_close(log), 0);
	assert_true(exists("cgnat-20261120T090000Z.jsonl.gz"));
	count_seqs(count, 8, &bad);
	assert_int_equal(count[7], 1);
	assert_int_equal(count[8], 1);
	assert_int_equal(bad, 1); /* the torn half, now on a line of its own */
	{
		struct evlog_file f = { .name = "epochs.jsonl" };
		char *d;
		size_t len;

		assert_int_equal(evlog_read_file(dir, &f, &d, &len), 0);
		assert_int_equal(len, 14);
		assert_int_equal(d[13], '\n');
		free(d);
	}
}

static void test_leftovers(void **state)
{
	struct evlog_opts o = opts(T0);
	struct evlog *log;

	(void)state;
	write_raw("cgnat-20261120T080000Z.jsonl.gz.tmp", "partial", 7);
	write_raw("cgnat-20261120T070000Z.jsonl", "{}\n", 3);
	write_raw("cgnat-20261120T070000Z.jsonl.gz", "", 0); /* renamed, not yet unlinked */
	log = evlog_open(dir, &o);
	assert_non_null(log);
	assert_int_equal(evlog_close(log), 0);
	assert_false(exists("cgnat-20261120T080000Z.jsonl.gz.tmp"));
	assert_false(exists("cgnat-20261120T070000Z.jsonl"));
	assert_true(exists("cgnat-20261120T070000Z.jsonl.gz"));
}

static void test_checkpoint_and_epoch(void **state)
{
	struct evlog_opts o = opts(T0);
	struct evlog *log = evlog_open(dir, &o);
	struct evlog_epoch e = { .epoch = 2, .mode = "deterministic", .port_min = 1024,
				 .port_max = 65535, .block_size = 1008, .blocks_per_ip = 64,
				 .n_pool = 2, .n_prefixes = 2 };
	struct evlog_epoch back;
	struct cgnat_event ev = block_ev(0, 1);
	struct all_lines a;
	struct evlog_record r;
	char *p, *nl;
	int i = 0;

	(void)state;
	e.pool[0].first = e.pool[0].last = 0xcb007101;
	e.pool[1].first = 0xc6336400;
	e.pool[1].last = 0xc63364ff;
	e.prefixes[0].addr = 0x64800000;
	e.prefixes[0].len = 24;
	e.prefixes[1].addr = 0x64400000;
	e.prefixes[1].len = 16;
	evlog_begin_checkpoint(log);
	ev.type = CGNAT_EV_BLOCK_ACTIVE;
	assert_int_equal(evlog_write(log, &ev, T0 + 5, "c1"), 0);
	assert_int_equal(evlog_write(log, &ev, T0 + 9, "c2"), 0);
	evlog_end_checkpoint(log);
	assert_int_equal(evlog_write_epoch(log, &e, T0 + 10), 0);
	ev.type = 99;
	assert_int_equal(evlog_write(log, &ev, T0, "c"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(evlog_close(log), 0);

	a = read_all();
	for (p = a.text; (nl = strchr(p, '\n')); p = nl + 1, i++) {
		assert_int_equal(evlog_parse_line(p, (size_t)(nl - p), &r, &back), 0);
		if (i == 0) {
			assert_int_equal(r.type, EVLOG_EV_CHECKPOINT_BEGIN);
			assert_int_equal(r.time_ns, T0);
		} else if (i == 3) {
			assert_int_equal(r.type, EVLOG_EV_CHECKPOINT_END);
			assert_int_equal(r.time_ns, T0 + 9);
			assert_int_equal(r.records, 2);
		} else if (i == 4) {
			assert_int_equal(r.type, EVLOG_EV_CONFIG_EPOCH);
			/* written in address order: the subscriber index order */
			assert_int_equal(back.prefixes[0].addr, 0x64400000);
			assert_int_equal(back.pool[0].first, 0xc6336400);
		}
	}
	assert_int_equal(i, 5);
	free(a.text);
	{
		struct evlog_file f = { .name = "epochs.jsonl" };
		char *d;
		size_t len;

		assert_int_equal(evlog_read_file(dir, &f, &d, &len), 0);
		assert_non_null(strstr(d, "\"prefixes\":[\"100.64.0.0/16\",\"100.128.0.0/24\"]}\n"));
		free(d);
	}
}

/* RLIMIT_FSIZE makes write(2) fail mid-buffer like a full disk would. */
static void test_write_failure_keeps_buffer(void **state)
{
	struct evlog_opts o = opts(T0);
	struct evlog *log = evlog_open(dir, &o);
	struct evlog_stats st;
	struct rlimit old, small;
	unsigned count[51], bad;

	(void)state;
	assert_non_null(log);
	write_seqs(log, 1, 10, T0);
	assert_int_equal(evlog_flush(log), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	evlog_get_stats(log, &st);
	small = old;
	small.rlim_cur = st.bytes_written + 700; /* a few lines fit, then EFBIG */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	write_seqs(log, 11, 50, T0);
	assert_int_equal(evlog_flush(log), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(evlog_flush(log), -1); /* still failing, still kept */
	assert_int_equal(evlog_rotate(log, T0 + 3600 * NS), -1); /* flush failed: nothing changed */
	evlog_get_stats(log, &st);
	assert_true(st.pending_bytes > 0);
	assert_true(st.bytes_written > 0);
	assert_int_equal(st.write_errors, 3);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(evlog_flush(log), 0);
	evlog_get_stats(log, &st);
	assert_int_equal(st.pending_bytes, 0);
	assert_int_equal(evlog_close(log), 0);
	count_seqs(count, 50, &bad);
	assert_int_equal(bad, 0);
	for (int s = 1; s <= 50; s++)
		assert_int_equal(count[s], 1);
}

static void test_open_fails(void **state)
{
	struct evlog_opts o = opts(T0);
	char p[128];

	(void)state;
	write_raw("file", "x", 1);
	snprintf(p, sizeof(p), "%s/file/sub", dir);
	assert_null(evlog_open(p, &o));
	assert_int_equal(errno, ENOTDIR);
	snprintf(p, sizeof(p), "%s/a/b/c", dir);
	evlog_close(evlog_open(p, &o)); /* parents are created */
	snprintf(p, sizeof(p), "%s/a/b/c/cgnat-20261120T100000Z.jsonl", dir);
	assert_int_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/a/b/c", dir);
	testdir_remove(p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_names_and_content),
		T(test_list_order),
		T(test_rotate_by_size),
		T(test_rotate_by_time),
		T(test_gzip_round_trip),
		T(test_retention),
		T(test_dedupe_after_crash),
		T(test_torn_last_line),
		T(test_leftovers),
		T(test_checkpoint_and_epoch),
		T(test_write_failure_keeps_buffer),
		T(test_open_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
