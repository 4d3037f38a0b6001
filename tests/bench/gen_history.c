/* Synthetic port block (pba) log history for the lookup benchmark.
 *
 *   gen_history DIR [--days 90] [--subscribers 10000] [--rotate 3600]
 *               [--seed N] [--start TIME] [--gzip-level 1..9]
 *
 * Subscribers take and give back 256-port blocks on 64 public addresses
 * (paired pooling: each subscriber always on the same address), a few
 * times a day, at random instants. Everything is written through the real
 * evlog writer, so the files, checkpoints and compression are exactly what
 * the agent produces. At the end one ground-truth query is printed:
 *
 *   QUERY 198.51.100.7:40000 2026-09-02T10:11:12.123456789Z EXPECT cust-01234
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "cgnat_dp.h"
#include "evlog.h"
#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define N_IPS 64
#define PORT_MIN 1024
#define BLOCK_SIZE 256
#define BLOCKS_PER_IP ((65536 - PORT_MIN) / BLOCK_SIZE)
#define MAX_HELD 3
#define EVENTS_PER_SUB_DAY 4

struct sub {
	uint16_t held[MAX_HELD]; /* global block ids */
	uint8_t n;
};

struct sim {
	struct evlog *log;
	struct sub *subs;
	unsigned n_subs;
	uint32_t owner[N_IPS * BLOCKS_PER_IP]; /* subscriber + 1; 0 = free */
	uint64_t rng;
	uint64_t seq;
};

static uint64_t rnd(struct sim *s)
{
	/* xorshift64*: plenty for a simulation, and reproducible by seed. */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

static uint32_t pool_ip(unsigned idx)
{
	/* 198.51.100.1-32 and 203.0.113.1-32 */
	return idx < N_IPS / 2 ? 0xc6336401u + idx : 0xcb007101u + (idx - N_IPS / 2);
}

static uint32_t inside_ip(unsigned s)
{
	return 0x64400001u + s; /* 100.64.0.1 onwards */
}

static void sub_id(unsigned s, char *buf, size_t size)
{
	snprintf(buf, size, "cust-%05u", s);
}

static void emit(struct sim *s, unsigned type, unsigned sub, unsigned block, uint64_t t)
{
	struct cgnat_event ev = { 0 };
	uint32_t first = PORT_MIN + (block % BLOCKS_PER_IP) * BLOCK_SIZE;
	char id[32];

	ev.seq = type == CGNAT_EV_BLOCK_ACTIVE ? 0 : ++s->seq;
	ev.time_ns = t;
	ev.type = (uint8_t)type;
	ev.inside_ip = htonl(inside_ip(sub));
	ev.outside_ip = htonl(pool_ip(block / BLOCKS_PER_IP));
	ev.outside_port = htons((uint16_t)first);
	ev.outside_port_last = htons((uint16_t)(first + BLOCK_SIZE - 1));
	sub_id(sub, id, sizeof(id));
	if (evlog_write(s->log, &ev, t, id) < 0) {
		perror("gen_history: evlog_write");
		exit(1);
	}
}

static void alloc_block(struct sim *s, unsigned sub, uint64_t t)
{
	unsigned ip = sub % N_IPS;
	unsigned start = (unsigned)(rnd(s) % BLOCKS_PER_IP);

	for (unsigned i = 0; i < BLOCKS_PER_IP; i++) {
		unsigned b = ip * BLOCKS_PER_IP + (start + i) % BLOCKS_PER_IP;

		if (s->owner[b])
			continue;
		s->owner[b] = sub + 1;
		s->subs[sub].held[s->subs[sub].n++] = (uint16_t)b;
		emit(s, CGNAT_EV_BLOCK_ALLOC, sub, b, t);
		return;
	}
	/* Address full: the dataplane would report it and refuse the flow. */
	{
		struct cgnat_event ev = { .seq = ++s->seq, .time_ns = t,
					  .type = CGNAT_EV_PORTS_EXHAUSTED,
					  .inside_ip = htonl(inside_ip(sub)),
					  .outside_ip = htonl(pool_ip(ip)) };

		evlog_write(s->log, &ev, t, NULL);
	}
}

static void release_block(struct sim *s, unsigned sub, uint64_t t)
{
	struct sub *x = &s->subs[sub];
	unsigned k = (unsigned)(rnd(s) % x->n);
	unsigned b = x->held[k];

	x->held[k] = x->held[--x->n];
	s->owner[b] = 0;
	emit(s, CGNAT_EV_BLOCK_RELEASE, sub, b, t);
}

static void checkpoint(struct sim *s, uint64_t t)
{
	evlog_begin_checkpoint(s->log);
	for (unsigned i = 0; i < s->n_subs; i++)
		for (unsigned k = 0; k < s->subs[i].n; k++)
			emit(s, CGNAT_EV_BLOCK_ACTIVE, i, s->subs[i].held[k], t);
	evlog_end_checkpoint(s->log);
}

static void wait_for_compression(struct sim *s)
{
	struct evlog_stats st;
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };

	/* Keep at most a couple of plain files on disk. */
	for (evlog_get_stats(s->log, &st); st.compress_queued > 2; evlog_get_stats(s->log, &st))
		nanosleep(&ms10, NULL);
}

static void flush_or_die(struct sim *s)
{
	if (evlog_flush(s->log) < 0) {
		perror("gen_history: evlog_flush");
		exit(1);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_history DIR [--days N] [--subscribers N] [--rotate SECONDS] [--seed N] [--start TIME] [--gzip-level 1..9]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct sim s;
	struct evlog_opts opts = { 0 };
	unsigned days = 90, rotate = 3600;
	uint64_t seed = 1, t0 = 0, t, end, boundary, gap_max, target, events = 0;
	const char *dir = NULL, *why;
	bool picked = false;
	uint32_t q_ip = 0, q_port = 0;
	unsigned q_sub = 0;
	char q_time[TIMEFMT_RFC3339_SIZE], a[16], id[32];

	s.n_subs = 10000;
	opts.gzip_level = 1;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
			continue;
		}
		if (!v)
			return usage();
		if (!strcmp(argv[i], "--days"))
			days = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "--subscribers"))
			s.n_subs = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "--rotate"))
			rotate = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(argv[i], "--gzip-level"))
			opts.gzip_level = atoi(v);
		else if (!strcmp(argv[i], "--start")) {
			if (timefmt_parse(v, &t0, &why) < 0) {
				fprintf(stderr, "gen_history: --start %s: %s\n", v, why);
				return 2;
			}
		} else
			return usage();
		i++;
	}
	if (!dir || !days || !rotate || s.n_subs == 0 || s.n_subs > N_IPS * BLOCKS_PER_IP ||
	    opts.gzip_level < 1 || opts.gzip_level > 9)
		return usage();
	if (!t0) {
		/* End the history now, so the newest file is "current". */
		t0 = (uint64_t)time(NULL) - (uint64_t)days * 86400;
		t0 = t0 / 3600 * 3600 * NS;
	}
	end = t0 + (uint64_t)days * 86400 * NS;
	s.rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	s.subs = calloc(s.n_subs, sizeof(*s.subs));
	if (!s.subs)
		return 1;
	opts.rotate_interval = rotate;
	opts.start_ns = t0;
	s.log = evlog_open(dir, &opts);
	if (!s.log) {
		fprintf(stderr, "gen_history: cannot open log directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	checkpoint(&s, t0); /* empty: nothing is held before the history starts */
	/* Everyone comes online in the first minute. */
	for (unsigned i = 0; i < s.n_subs; i++)
		alloc_block(&s, i, t0 + (uint64_t)i * 60 * NS / s.n_subs);
	t = t0 + 60 * NS;
	boundary = t0 + (uint64_t)rotate * NS;
	gap_max = 2 * 86400 * NS / ((uint64_t)s.n_subs * EVENTS_PER_SUB_DAY);
	target = t0 + (end - t0) / 2 + rnd(&s) % (3600 * NS);
	for (;;) {
		unsigned sub;

		t += 1 + rnd(&s) % gap_max;
		if (t >= end)
			break;
		while (t >= boundary) {
			flush_or_die(&s);
			if (evlog_rotate(s.log, boundary) < 0) {
				perror("gen_history: evlog_rotate");
				return 1;
			}
			checkpoint(&s, boundary);
			flush_or_die(&s);
			wait_for_compression(&s);
			boundary += (uint64_t)rotate * NS;
		}
		if (!picked && t > target) {
			/* Nothing happens between the last event and t: one owner at target. */
			do
				q_sub = (unsigned)(rnd(&s) % s.n_subs);
			while (s.subs[q_sub].n == 0);
			{
				unsigned b = s.subs[q_sub].held[rnd(&s) % s.subs[q_sub].n];

				q_ip = pool_ip(b / BLOCKS_PER_IP);
				q_port = PORT_MIN + (b % BLOCKS_PER_IP) * BLOCK_SIZE +
					 (unsigned)(rnd(&s) % BLOCK_SIZE);
			}
			picked = true;
		}
		sub = (unsigned)(rnd(&s) % s.n_subs);
		if (s.subs[sub].n == 0 || (s.subs[sub].n < MAX_HELD && rnd(&s) % 2))
			alloc_block(&s, sub, t);
		else
			release_block(&s, sub, t);
		if (++events % 4096 == 0)
			flush_or_die(&s);
	}
	flush_or_die(&s);
	if (evlog_close(s.log) < 0) {
		perror("gen_history: evlog_close");
		return 1;
	}
	free(s.subs);
	snprintf(a, sizeof(a), "%u.%u.%u.%u", q_ip >> 24, (q_ip >> 16) & 255, (q_ip >> 8) & 255,
		 q_ip & 255);
	timefmt_rfc3339(target, q_time);
	sub_id(q_sub, id, sizeof(id));
	fprintf(stderr, "gen_history: %llu events, %u subscribers, %u days in %s\n",
		(unsigned long long)(events + s.n_subs), s.n_subs, days, dir);
	printf("QUERY %s:%u %s EXPECT %s\n", a, q_port, q_time, id);
	return picked ? 0 : 1;
}
