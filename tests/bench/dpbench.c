/* dpbench: the benchmarks that need the real dataplane but no traffic
 * generator. It loads the dataplane through user/dataplane.c (dp_open,
 * dp_apply_config, dp_attach) in the packet tests' private network
 * namespace (tests/packet/harness.c, shared), and makes sessions by running cgnat_xdp_inside with
 * BPF_PROG_TEST_RUN on generated UDP frames.
 *
 *   dpbench memory N          bytes of kernel memory per session
 *   dpbench gc N              time to expire N sessions (user/gc.c gc_pass),
 *                             with an established flow probed meanwhile
 *   dpbench events MODE N DIR drain N events from the ring buffer into the
 *                             attribution log (user/attribution.c, the
 *                             agent's own code), then gzip the file;
 *                             MODE is pba, session or deterministic
 *
 * Results are printed as key=value lines for tests/bench/run.sh.
 * Pins go to /sys/fs/bpf/cgnat-pkt-PID (the harness's) and are removed on
 * every exit.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attribution.h"
#include "bpffs.h"
#include "cgnat.skel.h"
#include "config.h"
#include "dataplane.h"
#include "evlog.h"
#include "csum_ref.h"
#include "gc.h"
#include "harness.h"
#include "ringbuf.h"

#define FRAME_LEN 60
#define SERVER_IP 0xc0000202u /* 192.0.2.2, a permanent neighbour of the harness */
#define SERVER_PORT 9
#define SUB_BASE 0x64400100u  /* 100.64.1.0: subscriber k is SUB_BASE + k */
#define PORT_BASE 10000

static const uint8_t MAC_PEER[6] = { 0x02, 0xbe, 0x00, 0x00, 0x01, 0x02 };
static int prog_in;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("dpbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The dataplane of the harness, with the benchmark's configuration. */
static void bench_up(const char *body)
{
	if (dp_up(body))
		die("the dataplane did not come up");
	prog_in = bpf_program__fd(D.dp.skel->progs.cgnat_xdp_inside);
}

/* ---- frames -------------------------------------------------------------- */

/* Ethernet + IPv4 + UDP with 18 payload bytes: a 60-byte frame. */
static void build_udp(uint8_t *f, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t c;

	memset(f, 0, FRAME_LEN);
	memcpy(f, W.mac_in, 6);
	memcpy(f + 6, MAC_PEER, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 46;           /* total length */
	ip[8] = 64;           /* TTL */
	ip[9] = 17;           /* UDP */
	ip[12] = saddr >> 24; ip[13] = saddr >> 16; ip[14] = saddr >> 8; ip[15] = saddr;
	ip[16] = daddr >> 24; ip[17] = daddr >> 16; ip[18] = daddr >> 8; ip[19] = daddr;
	c = ref_ipv4_csum(ip, 20);
	ip[10] = c >> 8; ip[11] = c;
	udp[0] = sport >> 8; udp[1] = sport;
	udp[2] = dport >> 8; udp[3] = dport;
	udp[5] = 26;          /* UDP length */
	memset(udp + 8, 'b', 18);
	c = ref_l4_csum(*(uint32_t *)(ip + 12), *(uint32_t *)(ip + 16), 17, udp, 26);
	udp[6] = c >> 8; udp[7] = c;
}

/* One run of cgnat_xdp_inside. Returns the verdict; *ns the kernel's
 * measured program time when ns is not NULL. */
static int run_inside(const uint8_t *frame, uint32_t *ns)
{
	struct xdp_md ctx = { .data_end = FRAME_LEN, .ingress_ifindex = (uint32_t)W.if_in };
	uint8_t out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = FRAME_LEN,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(prog_in, &o))
		die("BPF_PROG_TEST_RUN: %s", strerror(errno));
	if (ns)
		*ns = o.duration;
	return (int)o.retval;
}

/* n new UDP flows: per_sub source ports on each of ceil(n / per_sub)
 * subscribers from SUB_BASE on. Returns the number that were forwarded
 * (XDP_REDIRECT: a mapping exists). */
static long make_sessions(long n, long per_sub, double *secs)
{
	uint8_t f[FRAME_LEN];
	long ok = 0;
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		build_udp(f, SUB_BASE + (uint32_t)(i / per_sub), (uint16_t)(PORT_BASE + i % per_sub),
			  SERVER_IP, SERVER_PORT);
		ok += run_inside(f, NULL) == XDP_REDIRECT;
	}
	if (secs)
		*secs = now_s() - t0;
	return ok;
}

/* ---- memory accounting --------------------------------------------------- */

/* What `bpftool map show` prints as memlock: the map's fdinfo. */
static uint64_t memlock(const struct bpf_map *map)
{
	char path[64], line[256];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", bpf_map__fd(map));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Bytes in use in the kmalloc slab caches (where BPF hash map elements and
 * conntrack extensions live), from /proc/slabinfo. */
static uint64_t kmalloc_slab_bytes(void)
{
	char line[512], name[64];
	unsigned long active, total, size;
	uint64_t sum = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &total, &size) == 4 &&
		    strstr(name, "kmalloc"))
			sum += (uint64_t)active * size;
	fclose(f);
	return sum;
}

struct maps_mem {
	uint64_t mappings, peers, subscribers, ports, blocks, events, total;
};

static void maps_mem_read(struct maps_mem *m)
{
	struct cgnat *s = D.dp.skel;
	struct bpf_map *map;

	memset(m, 0, sizeof(*m));
	m->mappings = memlock(s->maps.cgnat_mappings);
	m->peers = memlock(s->maps.cgnat_peers);
	m->subscribers = memlock(s->maps.cgnat_subscribers);
	m->ports = memlock(s->maps.cgnat_ports);
	m->blocks = memlock(s->maps.cgnat_blocks);
	m->events = memlock(s->maps.cgnat_events);
	bpf_object__for_each_map(map, s->obj)
		m->total += memlock(map);
}

static const char *pool_cfg(void)
{
	return "subscribers:\n"
	       "  prefixes: [100.64.0.0/16]\n"
	       "pool:\n"
	       "  addresses: [198.51.100.0/27]\n";
}

/* Session table slots that are not EMPTY: live mappings and the TOMBs a
 * deletion could not sweep yet. */
static unsigned long slots_in_use(void)
{
	unsigned long n = 0;

	for (uint32_t i = 0; i < D.dp.sessions.n; i++)
		n += __atomic_load_n(&D.dp.sessions.slots[i].word, __ATOMIC_RELAXED) != CGNAT_SW_EMPTY;
	return n;
}

static int cmd_memory(long n)
{
	const long per_sub = 250;
	struct maps_mem a, b;
	uint64_t slab0, slab1;
	char *body;
	double secs;
	long ok;

	if (asprintf(&body, "%smode: pba\nlimits:\n  max_sessions: 1048576\n", pool_cfg()) < 0)
		die("out of memory");
	bench_up(body);
	free(body);
	maps_mem_read(&a);
	slab0 = kmalloc_slab_bytes();
	ok = make_sessions(n, per_sub, &secs);
	sleep_s(0.5); /* let per-CPU allocator refills settle */
	maps_mem_read(&b);
	slab1 = kmalloc_slab_bytes();
	if (ok != n) {
		uint64_t st[CGNAT_STAT_MAX];

		stats_read(st);
		for (int i = 0; i < CGNAT_STAT_MAX; i++)
			if (st[i])
				fprintf(stderr, "dpbench: %s %llu\n", stat_name(i),
					(unsigned long long)st[i]);
		die("only %ld of %ld flows got a mapping", ok, n);
	}

	printf("mem.sessions=%ld\n", n);
	printf("mem.subscribers=%ld\n", (n + per_sub - 1) / per_sub);
	printf("mem.create_secs=%.3f\n", secs);
	printf("mem.create_rate=%.0f\n", (double)n / secs);
	printf("mem.max_sessions=%u\n", D.cfg.max_sessions);
	printf("mem.pool_addresses=%u\n", D.dp.plan.n_pool);
	printf("mem.mappings_before=%lu\nmem.mappings_after=%lu\n", a.mappings, b.mappings);
	printf("mem.subscribers_before=%lu\nmem.subscribers_after=%lu\n", a.subscribers,
	       b.subscribers);
	printf("mem.peers_before=%lu\nmem.peers_after=%lu\n", a.peers, b.peers);
	printf("mem.ports=%lu\nmem.blocks=%lu\nmem.events=%lu\n", b.ports, b.blocks, b.events);
	printf("mem.total_before=%lu\nmem.total_after=%lu\n", a.total, b.total);
	printf("mem.per_session_mappings=%.1f\n", (double)(b.mappings - a.mappings) / (double)n);
	printf("mem.per_session=%.1f\n",
	       (double)(b.mappings + b.subscribers + b.peers - a.mappings - a.subscribers - a.peers) /
		       (double)n);
	printf("mem.per_session_full=%.1f\n",
	       (double)(b.mappings + b.subscribers + b.peers) / (double)n);
	printf("mem.slab_per_session=%.1f\n", ((double)slab1 - (double)slab0) / (double)n);
	printf("mem.ports_per_address=%.0f\n", (double)b.ports / D.dp.plan.n_pool);
	return 0;
}

/* ---- expiry ---------------------------------------------------------------- */

#define MAX_SAMPLES (1 << 24)
#define GC_MAX_PASSES 400
#define GC_MAX_SECS 60.0

struct probe {
	volatile int phase;  /* 0 before, 1 during GC, 2 after, 3 stop */
	uint8_t frame[FRAME_LEN];
	uint32_t *lat[3];    /* wall ns per run, per phase */
	long n[3];
	uint32_t prog_max[3];
	long bad;
};

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *probe_main(void *arg)
{
	struct probe *p = arg;

	pin_cpu(1);
	for (;;) {
		int ph = p->phase;
		uint64_t t0, t1;
		uint32_t ns;

		if (ph >= 3)
			break;
		t0 = now_ns();
		if (run_inside(p->frame, &ns) != XDP_REDIRECT)
			p->bad++;
		t1 = now_ns();
		if (p->n[ph] < MAX_SAMPLES)
			p->lat[ph][p->n[ph]++] = (uint32_t)(t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0);
		if (ns > p->prog_max[ph])
			p->prog_max[ph] = ns;
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint32_t *v, long n, double q)
{
	if (n <= 0)
		return 0;
	return v[(long)(q * (double)(n - 1))];
}

static void prog_stats(int fd, uint64_t *ns, uint64_t *cnt)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	*ns = *cnt = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
		*ns = info.run_time_ns;
		*cnt = info.run_cnt;
	}
}

static int cmd_gc(long n)
{
	static const char *phase_name[3] = { "before", "during", "after" };
	const long per_sub = 250;
	struct probe p = { 0 };
	pthread_t th;
	struct gc g;
	uint64_t gc_ns0, gc_cnt0, gc_ns1, gc_cnt1;
	double t0, t1, secs, before_s = 1.0, first_s = 0;
	uint64_t first_expired = 0;
	char *body;
	long ok, passes = 0;
	int stats_fd, gc_fd;

	if (asprintf(&body, "%smode: pba\nlimits:\n  max_sessions: 1048576\n"
			    "timeouts:\n  udp: 1s\n  enforce_rfc_minimums: false\n",
		     pool_cfg()) < 0)
		die("out of memory");
	bench_up(body);
	free(body);
	pin_cpu(0);
	ok = make_sessions(n, per_sub, &secs);
	if (ok != n)
		die("only %ld of %ld flows got a mapping", ok, n);
	/* The probe: an established flow of a subscriber of its own. */
	build_udp(p.frame, 0x6440c801u /* 100.64.200.1 */, 5000, SERVER_IP, SERVER_PORT);
	if (run_inside(p.frame, NULL) != XDP_REDIRECT)
		die("the probe flow got no mapping");
	for (int i = 0; i < 3; i++)
		if (!(p.lat[i] = malloc(MAX_SAMPLES * sizeof(uint32_t))))
			die("out of memory");
	/* Everything made above is idle for more than the 1 s UDP timeout. */
	sleep_s(2.5);
	if (gc_init(&g, &D.dp, D.cfg.port_hold, gc_now()))
		die("gc_init failed");
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	gc_fd = bpf_program__fd(D.dp.skel->progs.cgnat_gc);
	if (pthread_create(&th, NULL, probe_main, &p))
		die("pthread_create failed");
	sleep_s(before_s);
	prog_stats(gc_fd, &gc_ns0, &gc_cnt0);
	p.phase = 1;
	t0 = now_s();
	/* One pass should do; more passes run (as the agent would run them,
	 * back to back here) until only the probe's mapping is left. */
	do {
		double c0 = now_s();

		if (gc_pass(&g, &D.cfg, NULL, gc_now()))
			die("gc_pass failed");
		if (!passes++) {
			first_s = now_s() - c0;
			first_expired = g.st.mappings_expired;
		}
	} while (dp_live_sessions(&D.dp) > 1 &&
		 passes < GC_MAX_PASSES && now_s() - t0 < GC_MAX_SECS);
	t1 = now_s();
	p.phase = 2;
	prog_stats(gc_fd, &gc_ns1, &gc_cnt1);
	sleep_s(before_s);
	p.phase = 3;
	pthread_join(th, NULL);
	if (stats_fd >= 0)
		close(stats_fd);

	printf("gc.sessions=%ld\n", n);
	printf("gc.expired=%lu\n", g.st.mappings_expired);
	printf("gc.scanned=%lu\n", g.st.last_scanned);
	printf("gc.passes=%ld\n", passes);
	printf("gc.first_pass_secs=%.3f\n", first_s);
	printf("gc.first_pass_expired=%lu\n", first_expired);
	printf("gc.secs=%.3f\n", t1 - t0);
	printf("gc.rate=%.0f\n", (double)g.st.mappings_expired / (t1 - t0));
	printf("gc.sessions_left=%llu\n",
	       (unsigned long long)dp_live_sessions(&D.dp));
	printf("gc.slots_in_use=%lu\n", slots_in_use());
	printf("gc.batches=%lu\n", gc_cnt1 - gc_cnt0);
	if (gc_cnt1 > gc_cnt0)
		printf("gc.batch_us=%.0f\n", (double)(gc_ns1 - gc_ns0) / (double)(gc_cnt1 - gc_cnt0) / 1e3);
	printf("gc.probe_bad=%ld\n", p.bad);
	for (int i = 0; i < 3; i++) {
		const char *ph = phase_name[i];

		qsort(p.lat[i], (size_t)p.n[i], sizeof(uint32_t), cmp_u32);
		printf("gc.probe_%s_runs=%ld\n", ph, p.n[i]);
		printf("gc.probe_%s_rate=%.0f\n", ph,
		       (double)p.n[i] / (i == 1 ? t1 - t0 : before_s));
		printf("gc.probe_%s_p50_ns=%.0f\n", ph, pct(p.lat[i], p.n[i], 0.50));
		printf("gc.probe_%s_p99_ns=%.0f\n", ph, pct(p.lat[i], p.n[i], 0.99));
		printf("gc.probe_%s_max_ns=%.0f\n", ph, pct(p.lat[i], p.n[i], 1.0));
		printf("gc.probe_%s_prog_max_ns=%u\n", ph, p.prog_max[i]);
		free(p.lat[i]);
	}
	gc_free(&g);
	return 0;
}

/* ---- events ---------------------------------------------------------------- */

struct drain {
	struct attribution *attr;
	long n;
};

static void on_record(const void *data, uint32_t len, void *arg)
{
	struct drain *d = arg;

	if (len >= sizeof(struct cgnat_event)) {
		attr_ring_event(d->attr, data);
		d->n++;
	}
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

static void write_subscriber_db(const char *path, long subs)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "# dpbench: one id per subscriber address\n");
	for (long k = 0; k < subs; k++) {
		uint32_t ip = SUB_BASE + (uint32_t)k;

		fprintf(f, "%u.%u.%u.%u,cust-%06ld\n", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
			ip & 255, k);
	}
	fclose(f);
}

static int cmd_events(const char *mode, long n, const char *dir)
{
	long per_sub = 250, subs, ok;
	char logdir[PATH_MAX], db[PATH_MAX], path[2 * PATH_MAX], err[1024];
	struct attribution *attr;
	struct attribution_stats st;
	struct ringbuf_reader rb;
	struct drain d = { 0 };
	uint64_t plain = 0, gz = 0, epoch_bytes;
	double gen_s, t0, t1, t2, t3, next_tick;
	const char *alloc;
	char *body;
	DIR *dh;
	struct dirent *e;

	if (!strcmp(mode, "pba"))
		/* Small blocks, so that sessions make many block events. */
		alloc = "allocation:\n  block_size: 8\n  max_blocks_per_subscriber: 32\n";
	else if (!strcmp(mode, "session"))
		alloc = "";
	else if (!strcmp(mode, "deterministic"))
		alloc = "", per_sub = 25;
	else
		die("unknown mode %s", mode);
	subs = (n + per_sub - 1) / per_sub;
	snprintf(logdir, sizeof(logdir), "%s/logs-%s", dir, mode);
	snprintf(db, sizeof(db), "%s/subscribers-%s.csv", dir, mode);
	write_subscriber_db(db, subs);
	if (asprintf(&body,
		     "subscribers:\n  prefixes: [100.64.0.0/16]\n  database: %s\n"
		     "pool:\n  addresses: [198.51.100.0/27]\nmode: %s\n%slimits:\n"
		     "  max_sessions: 1048576\nlogging:\n  directory: %s\n"
		     "  ring_buffer_size: 64M\n",
		     db, mode, alloc, logdir) < 0)
		die("out of memory");
	bench_up(body);
	free(body);
	/* The agent's start: open the log (its checkpoint is empty), then
	 * record the configuration epoch. */
	if (attr_open(&attr, &D.cfg, &D.dp, err, sizeof(err)))
		die("%s", err);
	snprintf(path, sizeof(path), "%s/epochs.jsonl", logdir);
	if (attr_epoch(attr, D.dp.epoch))
		die("attr_epoch: %s", strerror(errno));
	epoch_bytes = file_size(path);
	if (ringbuf_open(&rb, bpf_map__fd(D.dp.skel->maps.cgnat_events)))
		die("cannot map the ring buffer: %s", strerror(errno));

	/* Not timed: the dataplane queues one event per block or session. */
	ok = make_sessions(n, per_sub, &gen_s);
	if (ok != n)
		die("only %ld of %ld flows got a mapping", ok, n);

	/* Timed: the agent's drain loop (cgnatd.c drain_ring) plus its
	 * periodic tick (flush, fdatasync) once a second. */
	t0 = now_s();
	next_tick = t0 + 1.0;
	d.attr = attr;
	for (;;) {
		uint64_t end, before = __atomic_load_n(rb.consumer_pos, __ATOMIC_ACQUIRE);
		int got = ringbuf_peek(&rb, 4096, on_record, &d, &end);

		if (end == before)
			break;
		if (attr_commit(attr))
			die("writing the log failed: %s", strerror(errno));
		ringbuf_commit(&rb, end);
		if (got < 4096 && ringbuf_pending(&rb) == 0)
			break;
		if (now_s() >= next_tick) {
			attr_tick(attr);
			next_tick += 1.0;
		}
	}
	attr_tick(attr);
	t1 = now_s();
	attr_get_stats(attr, &st);
	attr_close(attr); /* final flush and fsync; the current file stays plain */
	t2 = now_s();
	ringbuf_close(&rb);

	/* Timed: what the agent's compression thread does to each closed file. */
	dh = opendir(logdir);
	if (!dh)
		die("cannot read %s", logdir);
	t3 = 0;
	while ((e = readdir(dh))) {
		size_t l = strlen(e->d_name);
		double c0;

		if (strncmp(e->d_name, "cgnat-", 6) || l < 6 || strcmp(e->d_name + l - 6, ".jsonl"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", logdir, e->d_name);
		plain += file_size(path);
		c0 = now_s();
		if (evlog_compress_file(path, 0))
			die("evlog_compress_file %s: %s", path, strerror(errno));
		t3 += now_s() - c0;
		strncat(path, ".gz", sizeof(path) - strlen(path) - 1);
		gz += file_size(path);
	}
	closedir(dh);

	printf("ev.%s.sessions=%ld\n", mode, n);
	printf("ev.%s.generate_secs=%.3f\n", mode, gen_s);
	printf("ev.%s.events=%ld\n", mode, d.n);
	printf("ev.%s.written=%lu\n", mode, st.events);
	printf("ev.%s.epoch_bytes=%lu\n", mode, epoch_bytes);
	printf("ev.%s.plain_bytes=%lu\n", mode, plain);
	printf("ev.%s.gz_bytes=%lu\n", mode, gz);
	printf("ev.%s.drain_secs=%.3f\n", mode, t1 - t0);
	printf("ev.%s.close_secs=%.3f\n", mode, t2 - t1);
	printf("ev.%s.gzip_secs=%.3f\n", mode, t3);
	if (d.n > 0) {
		printf("ev.%s.write_rate=%.0f\n", mode, (double)d.n / (t1 - t0));
		printf("ev.%s.gzip_rate=%.0f\n", mode, (double)d.n / t3);
		printf("ev.%s.total_rate=%.0f\n", mode, (double)d.n / (t2 - t0 + t3));
		printf("ev.%s.plain_per_event=%.1f\n", mode, (double)plain / (double)d.n);
		printf("ev.%s.gz_per_event=%.1f\n", mode, (double)gz / (double)d.n);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int events = !strcmp(cmd, "events");
	long n = argc > 2 + events ? strtol(argv[2 + events], NULL, 10) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n <= 0 || argc != (events ? 5 : 3)) {
		fprintf(stderr, "usage: dpbench memory N | gc N | events pba|session|deterministic N DIR\n");
		return 2;
	}
	if (geteuid() != 0)
		die("must run as root (network namespace, BPF)");
	if (world_setup())
		die("cannot build the private network namespace");
	if (!strcmp(cmd, "memory"))
		return cmd_memory(n);
	if (!strcmp(cmd, "gc"))
		return cmd_gc(n);
	if (events)
		return cmd_events(argv[2], n, argv[4]);
	fprintf(stderr, "dpbench: unknown command %s\n", cmd);
	return 2;
}
