/* cgnatd: the cgnat agent.
 *
 *   cgnatd -c FILE            run in the foreground (systemd Type=notify)
 *   cgnatd -c FILE --check    validate the configuration and exit 0/1
 *   cgnatd -c FILE --replace  discard a pinned dataplane instead of reusing it
 *
 * SIGHUP reloads the configuration; SIGTERM/SIGINT stop the agent and
 * detach the dataplane unless dataplane.keep_on_exit is set.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attribution.h"
#include "cgnat.skel.h"
#include "config.h"
#include "dataplane.h"
#include "gc.h"
#include "ringbuf.h"
#include "sdnotify.h"
#include "status.h"

#define RING_BATCH 4096

struct agent {
	struct cgnat_cfg cfg;
	struct dataplane dp;
	struct gc gc;
	struct ringbuf_reader rb;
	struct attribution *attr;
	int sigfd;
	int ring_stuck_logged;
};

static void logmsg(const char *level, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cgnatd: %s: ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fputs("cgnatd: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_record(const void *data, uint32_t len, void *arg)
{
	struct agent *ag = arg;

	if (len >= sizeof(struct cgnat_event))
		attr_ring_event(ag->attr, data);
}

/* Move every published event into the log. The ring position is committed
 * only once the records are in the file, so a crash replays (and the log
 * deduplicates) instead of losing. */
static void drain_ring(struct agent *ag)
{
	uint64_t end;
	int n;

	for (;;) {
		uint64_t before = __atomic_load_n(ag->rb.consumer_pos, __ATOMIC_ACQUIRE);

		n = ringbuf_peek(&ag->rb, RING_BATCH, on_record, ag, &end);
		if (end == before)
			return;
		if (attr_commit(ag->attr)) {
			if (!ag->ring_stuck_logged++)
				logmsg("error", "cannot write the attribution log (%s); new flows are "
				       "refused until it can be written", strerror(errno));
			return;
		}
		ag->ring_stuck_logged = 0;
		ringbuf_commit(&ag->rb, end);
		if (n < RING_BATCH)
			return;
	}
}

static void sink_mapping_deleted(void *arg, const struct cgnat_mapping_key *k,
				 const struct cgnat_mapping *m)
{
	attr_mapping_deleted(((struct agent *)arg)->attr, k, m);
}

static void sink_block_released(void *arg, uint32_t block, uint32_t owner)
{
	attr_block_released(((struct agent *)arg)->attr, block, owner);
}

static void run_gc(struct agent *ag)
{
	struct gc_sink sink = { sink_mapping_deleted, sink_block_released, ag };

	/* Allocation records must precede the releases of the same blocks. */
	drain_ring(ag);
	gc_pass(&ag->gc, &ag->cfg, &sink, gc_now());
	if (attr_commit(ag->attr))
		logmsg("error", "cannot write release records: %s", strerror(errno));
}

static void reload(struct agent *ag)
{
	struct cgnat_cfg *next = malloc(sizeof(*next));
	struct cfg_error cerr;
	char err[512];

	if (!next)
		return;
	if (cfg_load_file(ag->cfg.path, next, &cerr)) {
		logmsg("error", "reload refused: %s", cerr.msg);
		goto out;
	}
	if (dp_check_reload(&ag->cfg, next, err, sizeof(err))) {
		logmsg("error", "reload refused: %s", err);
		goto out;
	}
	if (attr_reload(ag->attr, next, err, sizeof(err))) {
		logmsg("error", "reload refused: %s", err);
		goto out;
	}
	if (dp_apply_config(&ag->dp, next, err, sizeof(err))) {
		logmsg("error", "reload failed: %s", err);
		goto out;
	}
	ag->cfg = *next;
	if (attr_epoch(ag->attr, ag->dp.epoch))
		logmsg("error", "cannot record the configuration epoch: %s", strerror(errno));
	logmsg("info", "configuration reloaded (epoch %u)", ag->dp.epoch);
	sd_notify_msg("STATUS=running, configuration reloaded");
out:
	free(next);
}

static int setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns 1 to keep running, 0 to stop. */
static int handle_signals(struct agent *ag)
{
	struct signalfd_siginfo si;

	while (read(ag->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(ag);
		else
			return 0;
	}
	return 1;
}

static int run(struct agent *ag)
{
	uint64_t next_gc = 0, next_tick = 0, next_status = 0;
	struct pollfd pfd[2] = {
		{ .fd = ag->sigfd, .events = POLLIN },
		{ .fd = ag->rb.fd, .events = POLLIN },
	};

	for (;;) {
		uint64_t now = mono_ms();
		int timeout = 100;

		if (now >= next_gc) {
			run_gc(ag);
			next_gc = now + ag->cfg.gc_interval_ms;
		}
		if (now >= next_tick) {
			attr_tick(ag->attr);
			next_tick = now + ag->cfg.flush_interval_ms;
		}
		if (now >= next_status) {
			status_write(&ag->cfg, &ag->dp, &ag->gc.st, ag->attr);
			next_status = now + 1000;
		}
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return -1;
		if ((pfd[0].revents & POLLIN) && !handle_signals(ag))
			return 0;
		drain_ring(ag);
	}
}

/* One agent per dataplane: a second one (even with --replace) would fight
 * the first over the same maps and programs. The lock lives with the
 * status file and dies with the process. */
static int lock_instance(const struct cgnat_cfg *cfg)
{
	char path[PATH_MAX + 8], pid[32];
	int fd;

	status_path(cfg, path, sizeof(path) - 8);
	strcat(path, ".lock");
	mkdir(STATUS_DIR, 0755);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		logmsg("error", "cannot create the lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ssize_t n = read(fd, pid, sizeof(pid) - 1);

		pid[n > 0 ? n : 0] = '\0';
		logmsg("error", "another cgnatd (pid %s) already runs the dataplane under %s; "
		       "hint: stop it first (systemctl stop cgnatd)", n > 0 ? pid : "?",
		       cfg->pin_path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

		if (write(fd, pid, (size_t)len) != len)
			logmsg("warning", "cannot write the pid to %s", path);
	}
	return fd; /* kept open (and locked) until exit */
}

static void usage(FILE *f)
{
	fputs("usage: cgnatd -c FILE [--check] [--replace]\n"
	      "  -c, --config FILE  configuration (YAML), see docs/CONFIG.md\n"
	      "      --check        validate the configuration and exit (0 valid, 1 not)\n"
	      "      --replace      discard a pinned dataplane instead of reusing it\n"
	      "                     (needed after changing pool, prefixes, ports or mode;\n"
	      "                     drops every session)\n",
	      f);
}

static int check_only(const struct cgnat_cfg *cfg)
{
	printf("%s: configuration OK: mode %s, %u public addresses, %llu subscriber addresses\n",
	       cfg->path, cfg_mode_name(cfg->mode), cfg->pool_size,
	       (unsigned long long)cfg_subscriber_count(cfg));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "replace", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct agent *ag = calloc(1, sizeof(*ag));
	const char *path = NULL;
	int check = 0, replace = 0, c, rc = 1, lock_fd = -1;
	struct cfg_error cerr;
	char err[1024];

	if (!ag)
		return 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'k': check = 1; break;
		case 'r': replace = 1; break;
		case 'h': usage(stdout); free(ag); return 0;
		default: usage(stderr); free(ag); return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		free(ag);
		return 2;
	}
	if (cfg_load_file(path, &ag->cfg, &cerr)) {
		fprintf(stderr, "%s\n", cerr.msg);
		free(ag);
		return 1;
	}
	if (check) {
		rc = check_only(&ag->cfg);
		free(ag);
		return rc;
	}
	libbpf_set_print(libbpf_log);
	lock_fd = lock_instance(&ag->cfg);
	if (lock_fd < 0)
		goto out;
	ag->sigfd = setup_signals();
	if (ag->sigfd < 0) {
		logmsg("error", "cannot set up signal handling: %s", strerror(errno));
		goto out;
	}
	if (dp_open(&ag->dp, &ag->cfg, replace, err, sizeof(err))) {
		logmsg("error", "%s", err);
		goto out;
	}
	logmsg("info", "%s dataplane under %s", ag->dp.reused ? "reusing the pinned" : "created a new",
	       ag->cfg.pin_path);
	if (attr_open(&ag->attr, &ag->cfg, &ag->dp, err, sizeof(err))) {
		logmsg("error", "%s", err);
		goto out_dp;
	}
	if (ringbuf_open(&ag->rb, bpf_map__fd(ag->dp.skel->maps.cgnat_events))) {
		logmsg("error", "cannot map the event ring buffer: %s", strerror(errno));
		goto out_attr;
	}
	drain_ring(ag); /* whatever the previous agent left */
	if (dp_apply_config(&ag->dp, &ag->cfg, err, sizeof(err)) ||
	    dp_attach(&ag->dp, &ag->cfg, err, sizeof(err))) {
		logmsg("error", "%s", err);
		goto out_rb;
	}
	/* Every mode records its epoch: a later non-deterministic epoch ends
	 * the validity of an earlier deterministic one for lookups. */
	if (attr_epoch(ag->attr, ag->dp.epoch))
		logmsg("error", "cannot record the configuration epoch: %s", strerror(errno));
	if (gc_init(&ag->gc, &ag->dp, ag->cfg.port_hold, gc_now())) {
		logmsg("error", "out of memory");
		goto out_rb;
	}
	logmsg("info", "running: mode %s, %d interfaces, %u public addresses",
	       cfg_mode_name(ag->cfg.mode), ag->dp.n_ifaces, ag->dp.plan.n_pool);
	sd_notify_msg("READY=1\nSTATUS=running");
	rc = run(ag) ? 1 : 0;
	sd_notify_msg("STOPPING=1");
	drain_ring(ag);
	attr_tick(ag->attr);
	gc_free(&ag->gc);
	if (ag->cfg.keep_dataplane_on_exit) {
		logmsg("info", "stopping; the dataplane keeps forwarding (keep_on_exit)");
	} else {
		logmsg("info", "stopping; detaching the dataplane");
		dp_detach(&ag->dp, &ag->cfg);
	}
	status_remove(&ag->cfg);
out_rb:
	ringbuf_close(&ag->rb);
out_attr:
	attr_close(ag->attr);
out_dp:
	dp_close(&ag->dp);
out:
	if (ag->sigfd > 0)
		close(ag->sigfd);
	if (lock_fd >= 0) {
		char lock_path[PATH_MAX + 8];

		/* Unlinked while still held: a competing start (non-blocking
		 * lock) either sees our lock or no file, never a stale one. */
		status_path(&ag->cfg, lock_path, sizeof(lock_path) - 8);
		strcat(lock_path, ".lock");
		unlink(lock_path);
		close(lock_fd);
	}
	free(ag);
	return rc;
}
