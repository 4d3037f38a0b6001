/* Reading the session table (include/cgnat_sessions.h) from userspace,
 * through a read-only mmap of the cgnat_mappings array: the agent's expiry
 * scan and checkpoints, cgnatctl sessions, the tests. Only the dataplane
 * (and cgnat_gc) ever writes it. */
#ifndef CGNAT_SESSION_TABLE_H
#define CGNAT_SESSION_TABLE_H

#include <stdint.h>

#include "cgnat_sessions.h"

struct session_table {
	const struct cgnat_session_slot *slots;
	uint32_t n; /* slots, a power of two */
};

/* A consistent copy of the mapping in slot i, when it holds one: the key
 * word is read before and after the mapping. Returns 1 if it does. */
int session_table_read(const struct session_table *t, uint32_t i, struct cgnat_mapping_key *k,
		       struct cgnat_mapping *m);

/* The mapping of k; 0 if found, -1 if not. */
int session_table_find(const struct session_table *t, const struct cgnat_mapping_key *k,
		       struct cgnat_mapping *m);

/* fn returns non-zero to stop. */
typedef int (*session_fn)(void *arg, const struct cgnat_mapping_key *k,
			  const struct cgnat_mapping *m);

/* Visit the live mappings of slots [first, first + count) (clipped to the
 * table); returns the next slot to visit, 0 after the last one. */
uint32_t session_table_walk(const struct session_table *t, uint32_t first, uint32_t count,
			    session_fn fn, void *arg);

/* Visit every live mapping. */
void session_table_walk_all(const struct session_table *t, session_fn fn, void *arg);

#endif
