/* The session (mapping) table: open addressing with linear probing in one
 * array map, shared by the dataplane, the agent and cgnatctl.
 *
 * Why not a BPF hash map: its insert takes a bucket lock with interrupts
 * off and allocates an element, and its lookup chases a bucket pointer to
 * an element elsewhere in memory. For a new flow that is two or three
 * cache and TLB misses plus an interrupt-flag round trip (expensive on
 * virtualised hosts). Here a lookup reads one 24-byte slot next to its
 * neighbours, and an insert claims that slot with one compare-and-swap.
 *
 * Each slot starts with a 64-bit word: the key (inside address, inside
 * port, protocol slot) in the high 56 bits and a state in the low 8, or one
 * of the whole-word values below. The protocol:
 *  - A lookup walks from the key's home slot until it finds the key or an
 *    EMPTY (or LOCKED) slot, at most CGNAT_SESSION_PROBES slots.
 *  - An insert walks the same way and claims the first EMPTY slot by
 *    compare-and-swap to key|WRITING, so two CPUs creating the same key
 *    race for the same slot and one loses and uses the winner's. It then
 *    checks that every slot it walked past is still non-empty (see below),
 *    writes the mapping and publishes key|LIVE.
 *  - Only cgnat_gc deletes: key|LIVE -> TOMB. A TOMB is turned back into
 *    EMPTY only when the next slot is EMPTY (no key's walk passes it); the
 *    next slot is LOCKED meanwhile so no insert can extend a walk through
 *    it, and an insert that meets LOCKED, or finds a walked slot emptied
 *    after its claim, gives its slot up as a TOMB and tries again.
 * So every LIVE key is reachable from its home slot through non-empty
 * slots, and no key is ever in the table twice.
 */
#ifndef CGNAT_SESSIONS_H
#define CGNAT_SESSIONS_H

#include "cgnat_dp.h"

/* Longest walk of a lookup or insert. The table has at least twice as
 * many slots as limits.max_sessions, so walks average under 3 slots; an
 * insert that finds no free slot within this many is refused. */
#define CGNAT_SESSION_PROBES 64

enum cgnat_session_word {
	CGNAT_SW_EMPTY = 0,
	CGNAT_SW_TOMB = 1,   /* deleted; keeps walks through it going */
	CGNAT_SW_LOCKED = 2, /* an EMPTY slot held by cgnat_gc for a moment */
};

enum cgnat_session_state {
	CGNAT_SS_WRITING = 3, /* claimed, mapping not written yet */
	CGNAT_SS_LIVE = 4,
};

struct cgnat_session_slot {
	__u64 word;
	struct cgnat_mapping m;
};
_Static_assert(sizeof(struct cgnat_session_slot) == 24, "mmapped array stride");

#define CGNAT_SESSION_STATE(w) ((__u32)((w) & 0xff))
#define CGNAT_SESSION_KEY_BITS(w) ((w) & ~0xffULL)

static inline __u64 cgnat_session_key_bits(const struct cgnat_mapping_key *k)
{
	return (__u64)k->inside_ip << 32 | (__u64)k->inside_port << 16 | (__u64)k->proto << 8;
}

static inline struct cgnat_mapping_key cgnat_session_key(__u64 word)
{
	struct cgnat_mapping_key k = {
		.inside_ip = (__u32)(word >> 32),
		.inside_port = (__u16)(word >> 16),
		.proto = (__u8)(word >> 8),
	};

	return k;
}

/* Home slot: every key bit must reach the low bits the mask keeps
 * (subscriber addresses differ in their last octet, the high byte of the
 * network-order word), so a full 64-bit finaliser (MurmurHash3's fmix64). */
static inline __u32 cgnat_session_home(__u64 key_bits, __u32 mask)
{
	__u64 h = key_bits;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (__u32)h & mask;
}

/* Slots for a session limit: a power of two, at least twice the limit. */
static inline __u64 cgnat_session_slots(__u64 max_sessions)
{
	__u64 n = 1024;

	while (n < 2 * max_sessions)
		n <<= 1;
	return n;
}

#endif
