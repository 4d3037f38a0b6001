/* Read-only access to a running dataplane through its pinned maps, for
 * cgnatctl. Nothing here needs the agent to be running: the pins are the
 * dataplane's state. */
#ifndef CGNAT_PINNED_H
#define CGNAT_PINNED_H

#include <stddef.h>
#include <stdint.h>

#include "cgnat_dp.h"
#include "session_table.h"

struct pinned {
	int config, mappings, subscribers, stats, pool_ips, ifaces;
	const uint32_t *slots;   /* mmapped port slots */
	size_t slots_bytes;
	const uint64_t *blocks;  /* mmapped block words */
	size_t blocks_bytes;
	uint32_t n_blocks;
	const struct cgnat_global *global;
	size_t global_bytes;
	struct session_table sessions; /* mmapped mapping table */
	size_t sessions_bytes;
	struct cgnat_config cfg;
	uint32_t *pool;          /* public addresses by index, network order */
	uint32_t n_pool;
	int ncpus;
};

/* 0, or -1 with a message saying what to do. */
int pinned_open(struct pinned *p, const char *pin_dir, char *err, size_t errlen);
void pinned_close(struct pinned *p);

/* Sum of a per-CPU counter. */
uint64_t pinned_stat(const struct pinned *p, unsigned idx);

/* Index of a public address (network order) or -1. */
int64_t pinned_pool_index(const struct pinned *p, uint32_t ip);

#endif
