/* Walking a BPF hash map in chunks with BPF_MAP_LOOKUP_BATCH: one syscall
 * per few thousand entries instead of two per entry (get_next_key + lookup).
 * Used by the agent (expiry, checkpoints) and cgnatctl (sessions, counts). */
#ifndef CGNAT_MAPWALK_H
#define CGNAT_MAPWALK_H

#include <stddef.h>
#include <stdint.h>

/* Called for each entry; return nonzero to stop the walk. */
typedef int (*map_walk_fn)(void *arg, const void *key, const void *value);

/* A walk that can stop and resume later: the agent's expiry pass sweeps a
 * large table a slice at a time. Zero-initialise, then call map_walk_step
 * until it reports the end of a sweep. */
struct map_cursor {
	uint64_t token;  /* the kernel's position (a bucket index for hash maps) */
	int started;
};

/* Visit up to max_entries entries from the cursor (0: no limit). Returns
 * the number visited, and sets *done when the sweep reached the end (the
 * cursor is then reset for the next sweep); -1 with errno on error. */
long map_walk_step(int fd, size_t key_size, size_t value_size, struct map_cursor *cur,
		   uint64_t max_entries, map_walk_fn fn, void *arg, int *done);

/* The whole map in one go. Returns entries visited or -1. */
long map_walk(int fd, size_t key_size, size_t value_size, map_walk_fn fn, void *arg);

#endif
