/* The agent's periodic expiry pass: idle mappings and peers, held ports,
 * idle port blocks and empty subscriber entries.
 *
 * The pass only scans and decides; deletions of entries the fast path also
 * writes go through the cgnat_gc BPF program (see include/cgnat_gc.h).
 * Held ports and idle blocks live in mmapped arrays and are released here
 * with the same atomics the fast path uses.
 */
#ifndef CGNAT_GC_PASS_H
#define CGNAT_GC_PASS_H

#include <stdint.h>

#include "dataplane.h"
#include "hold_queue.h"
#include "mapwalk.h"

struct gc_sink {
	/* A mapping expired (session mode logs it). */
	void (*mapping_deleted)(void *arg, const struct cgnat_mapping_key *k,
				const struct cgnat_mapping *m);
	/* A block went back to the pool (PBA mode logs it). */
	void (*block_released)(void *arg, uint32_t block, uint32_t owner_ip);
	void *arg;
};

struct gc_stats {
	uint64_t passes;
	uint64_t mappings_expired;
	uint64_t peers_expired;
	uint64_t ports_released;   /* hold time over */
	uint64_t blocks_released;
	uint64_t subscribers_removed;
	uint64_t last_pass_us;
	uint64_t last_scanned;
	uint64_t held_ports;
};

struct gc {
	struct dataplane *dp;
	struct hold_queue holds;
	uint32_t *idle_since;     /* per block: first pass seen unused, 0 = in use */
	uint32_t *prune;          /* subscribers to revisit */
	size_t n_prune, cap_prune;
	uint32_t last_sub_scan;
	uint32_t mapping_next;            /* where the next slice of each table starts */
	struct map_cursor peer_cursor;
	struct gc_stats st;
};

/* Prepare; ports found HELD in a reused dataplane are held for another
 * full hold time from now (the previous agent's timers are lost). */
int gc_init(struct gc *g, struct dataplane *dp, uint32_t port_hold, uint32_t now);
void gc_free(struct gc *g);

/* One pass (now: CLOCK_MONOTONIC seconds): the next slice of the mapping
 * and peer tables, due held ports, idle blocks, empty subscribers. */
int gc_pass(struct gc *g, const struct cgnat_cfg *cfg, const struct gc_sink *sink,
	    uint32_t now);

uint32_t gc_now(void);

#endif
