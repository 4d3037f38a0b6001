#include "attribution.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgnat.skel.h"
#include "dataplane.h"
#include "evlog.h"
#include "session_table.h"
#include "subdb.h"

#define NS 1000000000ULL
#define RETENTION_PERIOD_NS (3600ULL * NS)

struct attribution {
	struct evlog *log;
	struct subdb *db;
	struct dataplane *dp;
	struct cgnat_cfg cfg;
	int64_t tai_offset_ns; /* CLOCK_TAI - CLOCK_REALTIME */
	uint64_t next_retention_ns;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* The dataplane stamps events with CLOCK_TAI (bpf_ktime_get_tai_ns); UTC
 * is TAI minus the kernel's TAI offset, a whole number of seconds (37 s
 * since 2017 when NTP sets it, 0 when nothing does). */
static void refresh_tai_offset(struct attribution *a)
{
	int64_t d = (int64_t)(clock_ns(CLOCK_TAI) - clock_ns(CLOCK_REALTIME));

	a->tai_offset_ns = (d + (int64_t)NS / 2) / (int64_t)NS * (int64_t)NS;
}

static uint64_t next_seq(struct attribution *a)
{
	return __atomic_fetch_add(&a->dp->global->event_seq, 1, __ATOMIC_SEQ_CST);
}

static const char *subscriber_id(const struct attribution *a, uint32_t inside_net)
{
	return a->db ? subdb_lookup(a->db, ntohl(inside_net)) : NULL;
}

static void write_event(struct attribution *a, const struct cgnat_event *ev, uint64_t utc_ns)
{
	evlog_write(a->log, ev, utc_ns, subscriber_id(a, ev->inside_ip));
}

static struct evlog_opts log_opts(const struct cgnat_cfg *cfg)
{
	struct evlog_opts o = {
		.rotate_size = cfg->rotate_size,
		.rotate_interval = cfg->rotate_interval,
		.retention_days = cfg->retention_days,
		.log_destinations = cfg->log_destinations,
	};
	return o;
}

static void block_event(struct attribution *a, struct cgnat_event *ev, uint32_t block,
			uint32_t owner)
{
	const struct cgnat_geometry *g = &a->dp->plan.geom;
	uint32_t first = cgnat_block_first_port(g, block);

	ev->inside_ip = owner;
	ev->outside_ip = htonl(a->dp->plan.pool[cgnat_block_ip_index(g, block)]);
	ev->outside_port = htons((uint16_t)first);
	ev->outside_port_last = htons((uint16_t)(first + g->block_size - 1));
}

struct checkpoint_walk {
	struct attribution *a;
	uint64_t utc;
};

/* The record of one mapping, as the agent writes it itself. */
static struct cgnat_event session_event(uint8_t type, const struct cgnat_mapping_key *key,
					const struct cgnat_mapping *m)
{
	struct cgnat_event ev = { .type = type };

	ev.proto = cgnat_slot_ipproto(key->proto);
	ev.inside_ip = key->inside_ip;
	ev.inside_port = key->inside_port;
	ev.outside_ip = m->outside_ip;
	ev.outside_port = m->outside_port;
	ev.outside_port_last = m->outside_port;
	return ev;
}

static int checkpoint_session(void *arg, const struct cgnat_mapping_key *k,
			      const struct cgnat_mapping *v)
{
	const struct checkpoint_walk *cw = arg;
	struct cgnat_event ev = session_event(CGNAT_EV_SESSION_ACTIVE, k, v);

	write_event(cw->a, &ev, cw->utc);
	return 0;
}

static void checkpoint_sessions(struct attribution *a, uint64_t utc)
{
	struct checkpoint_walk cw = { a, utc };

	session_table_walk_all(&a->dp->sessions, checkpoint_session, &cw);
}

/* Every file starts with the state in force: who holds which block (PBA)
 * or which mapping (session mode). A lookup then reads one file instead
 * of walking back to the allocation, however long ago it was. */
static void write_checkpoint(struct attribution *a)
{
	uint64_t utc = clock_ns(CLOCK_REALTIME);
	uint32_t b;

	evlog_begin_checkpoint(a->log);
	if (a->cfg.mode == CFG_MODE_PBA) {
		for (b = 0; b < a->dp->n_blocks; b++) {
			uint64_t w = __atomic_load_n(&a->dp->blocks[b], __ATOMIC_RELAXED);
			struct cgnat_event ev = { .type = CGNAT_EV_BLOCK_ACTIVE };

			if (!CGNAT_BLOCK_OWNER(w))
				continue;
			block_event(a, &ev, b, CGNAT_BLOCK_OWNER(w));
			write_event(a, &ev, utc);
		}
	} else if (a->cfg.mode == CFG_MODE_SESSION) {
		checkpoint_sessions(a, utc);
	}
	evlog_end_checkpoint(a->log);
	evlog_flush(a->log);
}

static int open_log(struct attribution *a, const struct cgnat_cfg *cfg, char *err, size_t errlen)
{
	struct evlog_opts o = log_opts(cfg);

	a->log = evlog_open(cfg->log_directory, &o);
	if (!a->log) {
		snprintf(err, errlen, "cannot open the attribution log in %s: %s; hint: check "
			 "logging.directory and its permissions", cfg->log_directory, strerror(errno));
		return -1;
	}
	/* A new dataplane numbers its events from 0 again. */
	if (!a->dp->reused)
		evlog_reset_dedupe(a->log);
	return 0;
}

static int load_db(const struct cgnat_cfg *cfg, struct subdb **out, char *err, size_t errlen)
{
	char why[512];

	*out = NULL;
	if (!cfg->subscriber_db[0])
		return 0;
	*out = subdb_load(cfg->subscriber_db, why, sizeof(why));
	if (!*out) {
		snprintf(err, errlen, "subscriber database: %s", why);
		return -1;
	}
	return 0;
}

int attr_open(struct attribution **out, const struct cgnat_cfg *cfg, struct dataplane *dp,
	      char *err, size_t errlen)
{
	struct attribution *a = calloc(1, sizeof(*a));

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->dp = dp;
	a->cfg = *cfg;
	refresh_tai_offset(a);
	if (load_db(cfg, &a->db, err, errlen) || open_log(a, cfg, err, errlen)) {
		subdb_free(a->db);
		free(a);
		return -1;
	}
	write_checkpoint(a);
	*out = a;
	return 0;
}

void attr_close(struct attribution *a)
{
	if (!a)
		return;
	evlog_close(a->log);
	subdb_free(a->db);
	free(a);
}

static int logging_changed(const struct cgnat_cfg *x, const struct cgnat_cfg *y)
{
	return strcmp(x->log_directory, y->log_directory) || x->rotate_size != y->rotate_size ||
	       x->rotate_interval != y->rotate_interval || x->retention_days != y->retention_days ||
	       x->log_destinations != y->log_destinations;
}

int attr_reload(struct attribution *a, const struct cgnat_cfg *cfg, char *err, size_t errlen)
{
	struct subdb *db;

	if (load_db(cfg, &db, err, errlen))
		return -1;
	if (logging_changed(&a->cfg, cfg)) {
		struct evlog *old = a->log;
		struct evlog_opts o = log_opts(cfg);

		if (evlog_flush(old)) {
			snprintf(err, errlen, "cannot flush the current log: %s", strerror(errno));
			subdb_free(db);
			return -1;
		}
		a->log = evlog_open(cfg->log_directory, &o);
		if (!a->log) {
			snprintf(err, errlen, "cannot open the log in %s: %s", cfg->log_directory,
				 strerror(errno));
			a->log = old;
			subdb_free(db);
			return -1;
		}
		evlog_close(old);
		/* A new file starts with the state in force; an unchanged one
		 * already has it. */
		write_checkpoint(a);
	}
	subdb_free(a->db);
	a->db = db;
	a->cfg = *cfg;
	return 0;
}

void attr_ring_event(struct attribution *a, const struct cgnat_event *ev)
{
	write_event(a, ev, ev->time_ns - (uint64_t)a->tai_offset_ns);
}

int attr_commit(struct attribution *a)
{
	return evlog_flush(a->log);
}

void attr_mapping_deleted(struct attribution *a, const struct cgnat_mapping_key *k,
			  const struct cgnat_mapping *m)
{
	struct cgnat_event ev;

	if (a->cfg.mode != CFG_MODE_SESSION)
		return;
	ev = session_event(CGNAT_EV_SESSION_DELETE, k, m);
	ev.seq = next_seq(a);
	write_event(a, &ev, clock_ns(CLOCK_REALTIME));
}

void attr_block_released(struct attribution *a, uint32_t block, uint32_t owner_ip)
{
	struct cgnat_event ev = { .type = CGNAT_EV_BLOCK_RELEASE };

	if (a->cfg.mode != CFG_MODE_PBA)
		return;
	ev.seq = next_seq(a);
	block_event(a, &ev, block, owner_ip);
	write_event(a, &ev, clock_ns(CLOCK_REALTIME));
}

int attr_epoch(struct attribution *a, uint32_t epoch)
{
	const struct cgnat_cfg *cfg = &a->cfg;
	struct evlog_epoch *e = calloc(1, sizeof(*e));
	int i, r;

	if (!e)
		return -1;
	e->epoch = epoch;
	snprintf(e->mode, sizeof(e->mode), "%s", cfg_mode_name(cfg->mode));
	e->port_min = cfg->port_min;
	e->port_max = cfg->port_max;
	e->block_size = a->dp->plan.geom.block_size;
	e->blocks_per_ip = a->dp->plan.geom.blocks_per_ip;
	for (i = 0; i < cfg->n_pool && i < EVLOG_EPOCH_MAX; i++) {
		e->pool[i].first = cfg->pool[i].first;
		e->pool[i].last = cfg->pool[i].last;
	}
	e->n_pool = (uint32_t)i;
	for (i = 0; i < cfg->n_prefixes && i < EVLOG_EPOCH_MAX; i++) {
		e->prefixes[i].addr = cfg->prefixes[i].addr;
		e->prefixes[i].len = cfg->prefixes[i].len;
	}
	e->n_prefixes = (uint32_t)i;
	r = evlog_write_epoch(a->log, e, clock_ns(CLOCK_REALTIME));
	free(e);
	return r;
}

void attr_tick(struct attribution *a)
{
	uint64_t utc = clock_ns(CLOCK_REALTIME);

	refresh_tai_offset(a);
	evlog_flush(a->log);
	evlog_sync(a->log);
	if (evlog_need_rotate(a->log, utc) && evlog_rotate(a->log, utc) == 0)
		write_checkpoint(a);
	if (utc >= a->next_retention_ns) {
		evlog_retention(a->log, utc);
		a->next_retention_ns = utc + RETENTION_PERIOD_NS;
	}
}

void attr_get_stats(const struct attribution *a, struct attribution_stats *st)
{
	struct evlog_stats s;

	memset(st, 0, sizeof(*st));
	if (!a)
		return;
	evlog_get_stats(a->log, &s);
	st->events = s.events_written;
	st->duplicates = s.duplicates;
	st->write_errors = s.write_errors;
	st->bytes = s.bytes_written;
}
