/* Interface between the agent's expiry pass and the cgnat_gc BPF program.
 *
 * The agent scans the maps, writes candidates into the mmapable gc batch
 * array and runs cgnat_gc (BPF_PROG_TYPE_SYSCALL) once per batch. The
 * program re-checks each candidate and deletes it in the kernel, so a
 * packet that refreshed a mapping a microsecond earlier keeps it, and the
 * counters the fast path increments with atomics are decremented with
 * atomics too.
 */
#ifndef CGNAT_GC_H
#define CGNAT_GC_H

#include "cgnat_dp.h"

#define CGNAT_GC_BATCH 4096

enum cgnat_gc_op {
	CGNAT_GC_MAPPING = 1,    /* expire a mapping: slot -> HELD, counters down */
	CGNAT_GC_PEER = 2,       /* expire one extra destination of a mapping */
	CGNAT_GC_SUBSCRIBER = 3, /* drop references to released blocks; delete if empty */
};

enum cgnat_gc_flags {
	CGNAT_GC_FORCE = 1 << 0, /* delete even if not expired (flush) */
};

enum cgnat_gc_result {
	CGNAT_GC_KEPT = 0,    /* still alive, untouched */
	CGNAT_GC_DELETED = 1,
	CGNAT_GC_GONE = 2,    /* no such entry any more */
};

/* Userspace sees the batch through mmap, where the kernel lays array
 * elements out every round_up(value size, 8) bytes: the struct must be a
 * multiple of 8 so C array indexing matches (checked below). */
struct cgnat_gc_entry {
	__u16 op;
	__u16 flags;
	__u32 result;                 /* out */
	struct cgnat_peer_key key;    /* mapping: key.m; peer: all; subscriber: key.m.inside_ip */
	struct cgnat_mapping mapping; /* out: the entry as it was when deleted */
	__u32 pad;
};
_Static_assert(sizeof(struct cgnat_gc_entry) % 8 == 0, "mmapped array stride");

struct cgnat_gc_args {
	__u32 count;   /* entries of the batch to process */
	__u32 deleted; /* out */
	__u32 now;     /* out: the program's clock, CLOCK_MONOTONIC seconds */
	__u32 pad;
};

#endif
