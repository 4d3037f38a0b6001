/* Attribution logging in the agent: turns dataplane events and the
 * agent's own releases into log records (user/evlog.c), names subscribers
 * from the subscriber database, and writes checkpoints and deterministic
 * configuration epochs. */
#ifndef CGNAT_ATTRIBUTION_H
#define CGNAT_ATTRIBUTION_H

#include <stddef.h>
#include <stdint.h>

#include "cgnat_dp.h"
#include "config.h"

struct dataplane;
struct attribution;

struct attribution_stats {
	uint64_t events;      /* records written */
	uint64_t duplicates;  /* replayed after a restart, skipped */
	uint64_t write_errors;
	uint64_t bytes;
};

int attr_open(struct attribution **out, const struct cgnat_cfg *cfg, struct dataplane *dp,
	      char *err, size_t errlen);
void attr_close(struct attribution *a);

/* SIGHUP: new subscriber database and logging settings. On error the old
 * ones stay. */
int attr_reload(struct attribution *a, const struct cgnat_cfg *cfg, char *err, size_t errlen);

/* One record from the ring buffer (kernel CLOCK_TAI time). */
void attr_ring_event(struct attribution *a, const struct cgnat_event *ev);

/* Everything so far into the log file; 0 when it is there. The ring
 * buffer position is committed only after this succeeds. */
int attr_commit(struct attribution *a);

/* Records the agent itself originates. */
void attr_mapping_deleted(struct attribution *a, const struct cgnat_mapping_key *k,
			  const struct cgnat_mapping *m);
void attr_block_released(struct attribution *a, uint32_t block, uint32_t owner_ip);

/* Deterministic mode: record the configuration in force from now on. */
int attr_epoch(struct attribution *a, uint32_t epoch);

/* Periodic work: fsync, rotation (with a checkpoint), retention. */
void attr_tick(struct attribution *a);

void attr_get_stats(const struct attribution *a, struct attribution_stats *st);

#endif
