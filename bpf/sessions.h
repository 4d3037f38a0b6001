/* Lookup, insert and delete in the session table (include/cgnat_sessions.h
 * explains the layout and the protocol). */
#ifndef CGNAT_BPF_SESSIONS_H
#define CGNAT_BPF_SESSIONS_H

#include "maps.h"

/* How long a reader waits for another CPU to finish writing the mapping it
 * just claimed (a few hundred nanoseconds of work), in re-reads. */
#define SESSION_WRITE_WAIT 4096

/* Slot words are shared with other CPUs: read and write each once. */
#define SESSION_LOAD(w) (*(volatile __u64 *)&(w))
#define SESSION_STORE(w, v) (*(volatile __u64 *)&(w) = (v))

enum session_result {
	SESSION_FOUND = 0,
	SESSION_CLAIMED = 1, /* insert: the slot is ours, in WRITING state */
	SESSION_ABSENT = 2,  /* lookup: no such key */
	SESSION_FULL = 3,    /* insert: no free slot within the walk */
	SESSION_BUSY = 4,    /* walk met a slot in transition; nothing changed */
};

static __always_inline struct cgnat_session_slot *session_slot(__u32 idx)
{
	return bpf_map_lookup_elem(&cgnat_mappings, &idx);
}

struct session_walk {
	__u64 key;      /* cgnat_session_key_bits() */
	__u32 home;
	__u32 mask;
	__u32 idx;      /* out: the key's or the claimed slot */
	__u32 claim;    /* insert: claim the first EMPTY slot */
	int result;
};

static long session_wait_step(__u32 i, void *arg)
{
	struct cgnat_session_slot *s = session_slot(*(__u32 *)arg);

	return !s || CGNAT_SESSION_STATE(SESSION_LOAD(s->word)) != CGNAT_SS_WRITING;
}

/* Slot idx holds key: wait until whoever claimed it has published it. */
static __always_inline int session_settled(__u32 idx, __u64 key)
{
	struct cgnat_session_slot *s = session_slot(idx);

	if (s && CGNAT_SESSION_STATE(SESSION_LOAD(s->word)) == CGNAT_SS_WRITING)
		bpf_loop(SESSION_WRITE_WAIT, session_wait_step, &idx, 0);
	return s && SESSION_LOAD(s->word) == (key | CGNAT_SS_LIVE) ? SESSION_FOUND : SESSION_BUSY;
}

static long session_walk_step(__u32 i, void *arg)
{
	struct session_walk *w = arg;
	__u32 idx = (w->home + i) & w->mask;
	struct cgnat_session_slot *s = session_slot(idx);
	__u64 v;

	if (!s) {
		w->result = SESSION_BUSY;
		return 1;
	}
	v = SESSION_LOAD(s->word);
	if (v == CGNAT_SW_EMPTY) {
		if (!w->claim) {
			w->result = SESSION_ABSENT;
			return 1;
		}
		v = __sync_val_compare_and_swap(&s->word, CGNAT_SW_EMPTY,
						w->key | CGNAT_SS_WRITING);
		if (v == CGNAT_SW_EMPTY) {
			w->idx = idx;
			w->result = SESSION_CLAIMED;
			return 1;
		}
		/* Another CPU claimed it first: see whose key it is. */
	}
	if (v == CGNAT_SW_LOCKED) {
		w->result = w->claim ? SESSION_BUSY : SESSION_ABSENT;
		return 1;
	}
	if (CGNAT_SESSION_KEY_BITS(v) == w->key && CGNAT_SESSION_STATE(v) >= CGNAT_SS_WRITING) {
		w->idx = idx;
		w->result = SESSION_FOUND;
		return 1;
	}
	return 0;
}

static __always_inline int session_walk(struct session_walk *w, __u64 key, __u32 mask,
					int claim)
{
	w->key = key;
	w->mask = mask;
	w->home = cgnat_session_home(key, mask);
	w->claim = claim;
	w->result = claim ? SESSION_FULL : SESSION_ABSENT;
	bpf_loop(CGNAT_SESSION_PROBES, session_walk_step, w, 0);
	return w->result;
}

/* Start reading key's home slot; the value is not needed yet. */
static __always_inline void session_touch(const struct cgnat_config *cfg,
					  const struct cgnat_mapping_key *k)
{
	struct cgnat_session_slot *s =
		session_slot(cgnat_session_home(cgnat_session_key_bits(k), cfg->session_mask));

	if (s)
		READ_AHEAD(s->word);
}

/* Index of key's published slot, or -1. Most keys sit in their home slot
 * (the table is at most half full), so that one is read before any walk.
 * A global function: the verifier checks it once, not at every caller. */
__noinline long session_locate(__u64 key, __u32 mask)
{
	struct cgnat_session_slot *s = session_slot(cgnat_session_home(key, mask));
	struct session_walk w;
	__u64 v;

	if (!s)
		return -1;
	v = SESSION_LOAD(s->word);
	if (v == (key | CGNAT_SS_LIVE))
		return cgnat_session_home(key, mask);
	if (v == CGNAT_SW_EMPTY || v == CGNAT_SW_LOCKED)
		return -1;
	if (session_walk(&w, key, mask, 0) != SESSION_FOUND ||
	    session_settled(w.idx, w.key) != SESSION_FOUND)
		return -1;
	return w.idx;
}

/* The mapping of k, or 0. */
static __always_inline struct cgnat_mapping *session_find(const struct cgnat_config *cfg,
							  const struct cgnat_mapping_key *k)
{
	long idx = session_locate(cgnat_session_key_bits(k), cfg->session_mask);
	struct cgnat_session_slot *s;

	if (idx < 0)
		return 0;
	s = session_slot((__u32)idx);
	return s ? &s->m : 0;
}

struct session_path {
	__u32 home, mask, last;
	int broken;
};

static long session_path_step(__u32 i, void *arg)
{
	struct session_path *p = arg;
	__u32 idx = (p->home + i) & p->mask;
	struct cgnat_session_slot *s;
	__u64 v;

	if (idx == p->last)
		return 1;
	s = session_slot(idx);
	v = s ? SESSION_LOAD(s->word) : CGNAT_SW_EMPTY;
	if (v == CGNAT_SW_EMPTY || v == CGNAT_SW_LOCKED) {
		p->broken = 1;
		return 1;
	}
	return 0;
}

/* Insert m under key: the slot index in the low 32 bits and the result
 * (SESSION_CLAIMED: m stored and published; SESSION_FOUND: another CPU
 * created key first, m was not stored) in the high bits, or -result when
 * nothing changed. A global function, verified once. */
__noinline long session_insert_at(__u64 key, __u32 mask, const struct cgnat_mapping *m)
{
	struct session_path path;
	struct cgnat_session_slot *s;
	struct session_walk w;
	int r, attempt;

	if (!m)
		return -SESSION_BUSY;
	for (attempt = 0; attempt < 2; attempt++) {
		r = session_walk(&w, key, mask, 1);
		if (r != SESSION_CLAIMED && r != SESSION_FOUND)
			return -r;
		s = session_slot(w.idx);
		if (!s)
			return -SESSION_BUSY;
		if (r == SESSION_FOUND) {
			r = session_settled(w.idx, key);
			return r == SESSION_FOUND ? (long)SESSION_FOUND << 32 | w.idx : -r;
		}
		/* cgnat_gc may have emptied a slot this walk passed before the
		 * claim: then the new slot would be unreachable. */
		path.home = w.home;
		path.mask = w.mask;
		path.last = w.idx;
		path.broken = 0;
		bpf_loop(CGNAT_SESSION_PROBES, session_path_step, &path, 0);
		if (!path.broken) {
			s->m = *m;
			__sync_val_compare_and_swap(&s->word, key | CGNAT_SS_WRITING,
						    key | CGNAT_SS_LIVE);
			return (long)SESSION_CLAIMED << 32 | w.idx;
		}
		SESSION_STORE(s->word, CGNAT_SW_TOMB);
	}
	return -SESSION_BUSY;
}

/* Insert the mapping m for k. SESSION_CLAIMED: *out points at the new
 * mapping, published. SESSION_FOUND: another CPU created k first, *out is
 * theirs and m was not stored. Otherwise nothing changed. */
static __always_inline int session_insert(const struct cgnat_config *cfg,
					  const struct cgnat_mapping_key *k,
					  const struct cgnat_mapping *m, struct cgnat_mapping **out)
{
	long r = session_insert_at(cgnat_session_key_bits(k), cfg->session_mask, m);
	struct cgnat_session_slot *s;

	if (r < 0)
		return (int)-r;
	s = session_slot((__u32)r);
	if (!s)
		return SESSION_BUSY;
	*out = &s->m;
	return (int)(r >> 32);
}

struct session_sweep {
	__u32 idx, mask;
};

/* Empty the TOMB at idx if the slot after it is EMPTY, then the TOMB
 * before it, and so on back. */
static long session_sweep_step(__u32 i, void *arg)
{
	struct session_sweep *sw = arg;
	struct cgnat_session_slot *s = session_slot(sw->idx);
	struct cgnat_session_slot *next = session_slot((sw->idx + 1) & sw->mask);

	if (!s || !next || SESSION_LOAD(s->word) != CGNAT_SW_TOMB)
		return 1;
	if (__sync_val_compare_and_swap(&next->word, CGNAT_SW_EMPTY, CGNAT_SW_LOCKED) !=
	    CGNAT_SW_EMPTY)
		return 1;
	__sync_val_compare_and_swap(&s->word, CGNAT_SW_TOMB, CGNAT_SW_EMPTY);
	__sync_val_compare_and_swap(&next->word, CGNAT_SW_LOCKED, CGNAT_SW_EMPTY);
	sw->idx = (sw->idx - 1) & sw->mask;
	return 0;
}

/* Delete k's mapping from slot idx (session_locate()'s answer) and give
 * the slot back to the table. cgnat_gc only. Returns 0, or -1 if the slot
 * no longer holds k. */
static __always_inline int session_delete(const struct cgnat_config *cfg,
					  const struct cgnat_mapping_key *k, __u32 idx)
{
	__u64 live = cgnat_session_key_bits(k) | CGNAT_SS_LIVE;
	struct session_sweep sw = { .idx = idx, .mask = cfg->session_mask };
	struct cgnat_session_slot *s = session_slot(idx);

	if (!s || __sync_val_compare_and_swap(&s->word, live, CGNAT_SW_TOMB) != live)
		return -1;
	bpf_loop(CGNAT_SESSION_PROBES, session_sweep_step, &sw, 0);
	return 0;
}

#endif
