#include "gc.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgnat.skel.h"
#include "mapwalk.h"

#define SCAN_PER_PASS 65536
/* Session table slots read per pass: a slot is a 24-byte read from the
 * mmapped table, far cheaper than a hash entry through a syscall. */
#define SESSION_SLOTS_PER_PASS 262144
#define SUBSCRIBER_SCAN_PERIOD 60

uint32_t gc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return cgnat_ns_to_sec((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int gc_init(struct gc *g, struct dataplane *dp, uint32_t port_hold, uint32_t now)
{
	uint64_t n_slots = (uint64_t)dp->plan.n_pool * CGNAT_NPROTO * CGNAT_PORTS_PER_IP, i;

	memset(g, 0, sizeof(*g));
	g->dp = dp;
	hold_queue_init(&g->holds);
	g->idle_since = calloc(dp->n_blocks ? dp->n_blocks : 1, sizeof(*g->idle_since));
	if (!g->idle_since)
		return -1;
	for (i = 0; dp->reused && i < n_slots; i++) {
		uint32_t v = __atomic_load_n(&dp->slots[i], __ATOMIC_RELAXED);

		if (CGNAT_SLOT_STATE(v) == CGNAT_SLOT_HELD) {
			struct hold_entry e = { .slot = (uint32_t)i, .value = v,
						.release_at = now + port_hold };

			if (hold_queue_push(&g->holds, &e))
				return -1;
		}
	}
	g->last_sub_scan = now;
	return 0;
}

void gc_free(struct gc *g)
{
	hold_queue_free(&g->holds);
	free(g->idle_since);
	free(g->prune);
	memset(g, 0, sizeof(*g));
}

static int prune_add(struct gc *g, uint32_t ip)
{
	if (g->n_prune == g->cap_prune) {
		size_t cap = g->cap_prune ? g->cap_prune * 2 : 256;
		uint32_t *p = realloc(g->prune, cap * sizeof(*p));

		if (!p)
			return -1;
		g->prune = p;
		g->cap_prune = cap;
	}
	g->prune[g->n_prune++] = ip;
	return 0;
}

/* Run the BPF expiry program over n prepared entries and act on results. */
static void run_batch(struct gc *g, const struct cgnat_cfg *cfg, const struct gc_sink *sink,
		      uint32_t n, uint32_t now)
{
	struct dataplane *dp = g->dp;
	uint32_t i;

	if (!n || dp_run_gc(dp, n, NULL, NULL))
		return;
	for (i = 0; i < n; i++) {
		const struct cgnat_gc_entry *e = &dp->gc_batch[i];

		if (e->result != CGNAT_GC_DELETED)
			continue;
		if (e->op == CGNAT_GC_MAPPING) {
			int64_t ip_index = addrplan_pool_index(&dp->plan, ntohl(e->mapping.outside_ip));
			struct hold_entry h = {
				.value = CGNAT_SLOT_MAKE(e->key.m.inside_port, CGNAT_SLOT_HELD),
				.release_at = now + cfg->port_hold,
			};

			g->st.mappings_expired++;
			if (ip_index >= 0) {
				h.slot = cgnat_port_slot((uint32_t)ip_index, e->key.m.proto,
							 ntohs(e->mapping.outside_port));
				hold_queue_push(&g->holds, &h);
			}
			if (sink && sink->mapping_deleted)
				sink->mapping_deleted(sink->arg, &e->key.m, &e->mapping);
		} else if (e->op == CGNAT_GC_PEER) {
			g->st.peers_expired++;
		} else if (e->op == CGNAT_GC_SUBSCRIBER) {
			g->st.subscribers_removed++;
		}
	}
}

/* Queue one entry; flushes the batch when full. */
static void batch_add(struct gc *g, const struct cgnat_cfg *cfg, const struct gc_sink *sink,
		      uint32_t now, uint32_t *n, uint16_t op, const struct cgnat_peer_key *key)
{
	struct cgnat_gc_entry *e = &g->dp->gc_batch[*n];

	memset(e, 0, sizeof(*e));
	e->op = op;
	e->key = *key;
	if (++*n == CGNAT_GC_BATCH) {
		run_batch(g, cfg, sink, *n, now);
		*n = 0;
	}
}

/* Expiry candidates of one slice of a table. They are collected first and
 * deleted afterwards: deleting under a batch walk can make it skip entries. */
struct collect {
	void *arg;
	int (*want)(void *arg, const void *k, const void *v);
	size_t key_size;
	struct cgnat_peer_key *list;
	size_t n, cap;
};

static int collect_step(void *arg, const void *k, const void *v)
{
	struct collect *col = arg;

	if (!col->want(col->arg, k, v))
		return 0;
	if (col->n == col->cap) {
		size_t cap = col->cap ? col->cap * 2 : 1024;
		struct cgnat_peer_key *p = realloc(col->list, cap * sizeof(*p));

		if (!p)
			return 1; /* out of memory: stop here, the next pass goes on */
		col->list = p;
		col->cap = cap;
	}
	memset(&col->list[col->n], 0, sizeof(col->list[0]));
	memcpy(&col->list[col->n], k, col->key_size);
	col->n++;
	return 0;
}

struct expiry_ctx {
	const struct cgnat_cfg *cfg;
	struct cgnat_config dc;
	uint32_t now;
};

static int mapping_expired(void *arg, const void *k, const void *v)
{
	const struct expiry_ctx *c = arg;
	const struct cgnat_mapping_key *key = k;
	const struct cgnat_mapping *m = v;

	return (int32_t)(c->now - m->last_seen) >=
	       (int32_t)cgnat_mapping_timeout(&c->dc, key->proto, m->tcp_state);
}

static int peer_expired(void *arg, const void *k, const void *v)
{
	const struct expiry_ctx *c = arg;
	const struct cgnat_peer_key *key = k;
	const struct cgnat_peer *p = v;

	return (int32_t)(c->now - p->last_seen) >=
	       (int32_t)cgnat_mapping_timeout(&c->dc, key->m.proto, p->tcp_state);
}

static int collect_mapping(void *arg, const struct cgnat_mapping_key *k,
			   const struct cgnat_mapping *m)
{
	return collect_step(arg, k, m);
}

/* Candidates are handed to cgnat_gc in batches, which re-checks each. */
static void expire_collected(struct gc *g, const struct cgnat_cfg *cfg,
			     const struct gc_sink *sink, uint32_t now, struct collect *col,
			     uint16_t op)
{
	uint32_t batched = 0;
	size_t i;

	for (i = 0; i < col->n; i++)
		batch_add(g, cfg, sink, now, &batched, op, &col->list[i]);
	run_batch(g, cfg, sink, batched, now);
	free(col->list);
}

/* The next slice of the session table. */
static void expire_mappings(struct gc *g, const struct cgnat_cfg *cfg,
			    const struct gc_sink *sink, struct expiry_ctx *c)
{
	const struct session_table *t = &g->dp->sessions;
	struct collect col = { .arg = c, .want = mapping_expired,
			       .key_size = sizeof(struct cgnat_mapping_key) };
	uint32_t first = g->mapping_next;

	g->mapping_next = session_table_walk(t, first, SESSION_SLOTS_PER_PASS, collect_mapping,
					     &col);
	g->st.last_scanned += (g->mapping_next ? g->mapping_next : t->n) - first;
	expire_collected(g, cfg, sink, c->now, &col, CGNAT_GC_MAPPING);
}

/* One slice of a table per pass: a timeout is seconds to hours, so
 * sweeping a million mappings every gc_interval would spend a core on
 * work whose result changes once a minute. A table of up to SCAN_PER_PASS
 * entries is still swept whole every pass. */
static void expire_table(struct gc *g, const struct cgnat_cfg *cfg, const struct gc_sink *sink,
			 struct expiry_ctx *c, int fd, size_t ksz, size_t vsz, uint16_t op,
			 int (*want)(void *, const void *, const void *), struct map_cursor *cur)
{
	struct collect col = { .arg = c, .want = want, .key_size = ksz };
	int done;
	long n = map_walk_step(fd, ksz, vsz, cur, SCAN_PER_PASS, collect_step, &col, &done);

	if (n > 0)
		g->st.last_scanned += (uint64_t)n;
	expire_collected(g, cfg, sink, c->now, &col, op);
}

/* Ports whose hold time is over become free again. */
static void release_held_ports(struct gc *g, uint32_t now)
{
	struct dataplane *dp = g->dp;
	struct hold_entry e;

	while (hold_queue_pop_due(&g->holds, now, &e)) {
		uint32_t expected = e.value, ip_index = (e.slot >> 16) / CGNAT_NPROTO;
		long long block = cgnat_block_of(&dp->plan.geom, ip_index, e.slot & 0xffff);

		if (!__atomic_compare_exchange_n(&dp->slots[e.slot], &expected, CGNAT_SLOT_FREE, 0,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		if (block >= 0) {
			__atomic_fetch_sub(&dp->block_fill[block].used[(e.slot >> 16) % CGNAT_NPROTO], 1,
					   __ATOMIC_SEQ_CST);
			__atomic_fetch_sub(&dp->blocks[block], 1ULL << 32, __ATOMIC_SEQ_CST);
		}
		g->st.ports_released++;
	}
}

/* Blocks unused for block_idle_timeout go back to the pool. The swap only
 * succeeds while the use count is still zero, so a CPU that just started
 * allocating in the block keeps it. */
static void release_idle_blocks(struct gc *g, const struct cgnat_cfg *cfg,
				const struct gc_sink *sink, uint32_t now)
{
	struct dataplane *dp = g->dp;
	uint32_t b;

	if (cfg->mode == CFG_MODE_DETERMINISTIC)
		return;
	for (b = 0; b < dp->n_blocks; b++) {
		uint64_t w = __atomic_load_n(&dp->blocks[b], __ATOMIC_RELAXED);
		uint32_t owner = CGNAT_BLOCK_OWNER(w);

		if (!owner || CGNAT_BLOCK_USED(w)) {
			g->idle_since[b] = 0;
			continue;
		}
		if (!g->idle_since[b]) {
			g->idle_since[b] = now ? now : 1;
			continue;
		}
		if (now - g->idle_since[b] < cfg->block_idle_timeout)
			continue;
		if (!__atomic_compare_exchange_n(&dp->blocks[b], &w, 0, 0, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			continue;
		g->idle_since[b] = 0;
		__atomic_fetch_add(&dp->ip_free[cgnat_block_ip_index(&dp->plan.geom, b)], 1,
				   __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&dp->global->free_blocks, 1, __ATOMIC_SEQ_CST);
		g->st.blocks_released++;
		prune_add(g, owner);
		if (sink && sink->block_released)
			sink->block_released(sink->arg, b, owner);
	}
}

static int idle_subscriber(void *arg, const void *k, const void *v)
{
	if (((const struct cgnat_subscriber *)v)->sessions == 0)
		prune_add(arg, *(const uint32_t *)k);
	return 0;
}

/* Drop subscriber entries that hold nothing: those whose block was just
 * released, plus, once a minute, any the map still has. */
static void prune_subscribers(struct gc *g, const struct cgnat_cfg *cfg,
			      const struct gc_sink *sink, uint32_t now)
{
	int fd = bpf_map__fd(g->dp->skel->maps.cgnat_subscribers);
	uint32_t batched = 0;
	size_t i;

	if (cfg->mode == CFG_MODE_DETERMINISTIC)
		return;
	if (now - g->last_sub_scan >= SUBSCRIBER_SCAN_PERIOD) {
		g->last_sub_scan = now;
		map_walk(fd, sizeof(uint32_t), sizeof(struct cgnat_subscriber), idle_subscriber, g);
	}
	for (i = 0; i < g->n_prune; i++) {
		struct cgnat_peer_key k = { .m.inside_ip = g->prune[i] };

		batch_add(g, cfg, sink, now, &batched, CGNAT_GC_SUBSCRIBER, &k);
	}
	run_batch(g, cfg, sink, batched, now);
	g->n_prune = 0;
}

int gc_pass(struct gc *g, const struct cgnat_cfg *cfg, const struct gc_sink *sink, uint32_t now)
{
	struct cgnat *s = g->dp->skel;
	struct expiry_ctx c = { .cfg = cfg, .now = now };
	uint64_t t0 = now_us();
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.cgnat_config), &zero, &c.dc))
		return -1;
	g->st.last_scanned = 0;
	expire_mappings(g, cfg, sink, &c);
	expire_table(g, cfg, sink, &c, bpf_map__fd(s->maps.cgnat_peers),
			     sizeof(struct cgnat_peer_key), sizeof(struct cgnat_peer),
			     CGNAT_GC_PEER, peer_expired, &g->peer_cursor);
	release_held_ports(g, now);
	release_idle_blocks(g, cfg, sink, now);
	prune_subscribers(g, cfg, sink, now);
	g->st.held_ports = hold_queue_len(&g->holds);
	g->st.passes++;
	g->st.last_pass_us = now_us() - t0;
	return 0;
}
