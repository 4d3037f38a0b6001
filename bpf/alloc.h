/* Outside port allocation in the fast path: subscribers, port blocks, ports.
 *
 * Everything shared between CPUs (block words, port slots, counters) is
 * changed with compare-and-swap or atomic adds, never under a lock, so the
 * agent can take part through mmap with the same atomics. Order of a new
 * port: reserve one unit of the block's use count (which also proves the
 * block still belongs to the subscriber), then claim a FREE slot. The agent
 * releases a block only by swapping (owner, 0 used) for 0, so it can never
 * take away a block a CPU is allocating in.
 */
#ifndef CGNAT_BPF_ALLOC_H
#define CGNAT_BPF_ALLOC_H

#include "cgnat_blocks.h"
#include "events.h"

enum alloc_result {
	ALLOC_OK = 0,
	ALLOC_QUOTA_SESSIONS,
	ALLOC_QUOTA_PORTS,
	ALLOC_PORTS_EXHAUSTED,
	ALLOC_ADDRS_EXHAUSTED,
	ALLOC_EVENT_RING_FULL,
	ALLOC_TABLE_FULL,
};

#define BLOCK_USE_ONE (1ULL << 32)

struct alloc_req {
	const struct cgnat_config *cfg;
	__u32 inside_ip;
	__u16 inside_port;  /* network order */
	__u8 slot_proto;
	__u8 pad;
	/* out */
	__u32 ip_index;
	__u32 port;         /* host order */
};

static __always_inline struct cgnat_geometry geometry(const struct cgnat_config *cfg)
{
	struct cgnat_geometry g = {
		.port_min = cfg->port_min,
		.block_size = cfg->block_size,
		.blocks_per_ip = cfg->blocks_per_ip,
		.n_pool = cfg->n_pool,
	};
	return g;
}

/* ---- ports inside one block ---- */

struct port_scan {
	__u32 slot_base;   /* cgnat_port_slot(ip_index, proto, 0) */
	__u32 first_port;
	__u32 size;
	__u32 start;       /* offset tried first */
	__u32 half;        /* parity pass length; size when parity is off */
	__u32 claim;       /* slot value to store */
	__u32 found_port;
	__u32 found;
};

static __always_inline int claim_offset(struct port_scan *s, __u32 off)
{
	__u32 *slot = port_slot_ptr(s->slot_base + s->first_port + off);

	if (!slot || *slot != CGNAT_SLOT_FREE ||
	    __sync_val_compare_and_swap(slot, CGNAT_SLOT_FREE, s->claim) != CGNAT_SLOT_FREE)
		return 0;
	s->found_port = s->first_port + off;
	s->found = 1;
	return 1;
}

/* Pass 1 walks offsets start, start+2, ... (same parity as the inside port,
 * RFC 4787 REQ-4), pass 2 the other parity. */
static long port_scan_step(__u32 i, void *arg)
{
	struct port_scan *s = arg;
	__u32 off;

	if (i < s->half)
		off = s->start + (s->half == s->size ? i : 2 * i);
	else
		off = s->start + 1 + 2 * (i - s->half);
	return claim_offset(s, off % s->size);
}

/* With parity preservation (RFC 4787 REQ-4) a block's ports of the inside
 * port's parity are at offsets base, base + 2, ...; same of them. same is
 * 0 when parity is off: every offset is fair. */
static __always_inline __u32 parity_base(__u16 inside_port, __u32 first_port)
{
	return (bpf_ntohs(inside_port) ^ first_port) & 1;
}

static __always_inline __u32 parity_count(const struct cgnat_config *cfg, __u32 base)
{
	__u32 size = cfg->block_size;

	return (cfg->flags & CGNAT_CF_PORT_PARITY) && size > 1 ? (size - base + 1) / 2 : 0;
}

/* The offset in a block a random draw picks. */
static __always_inline __u32 draw_offset(__u32 size, __u32 base, __u32 same, __u32 rnd)
{
	return same ? base + 2 * (rnd % same) : rnd % size;
}

/* A random draw for a port probe: this CPU's pending one, replaced by a
 * fresh one. Every draw is used once; alloc_touch() only peeks. */
static __always_inline __u32 port_draw_take(void)
{
	__u32 zero = 0, *pending = bpf_map_lookup_elem(&cgnat_port_draw, &zero);
	__u32 rnd;

	if (!pending)
		return bpf_get_prandom_u32();
	rnd = *pending;
	*pending = bpf_get_prandom_u32();
	return rnd;
}

static __always_inline struct cgnat_block_fill *block_fill(__u32 block)
{
	return bpf_map_lookup_elem(&cgnat_block_fill, &block);
}

/* Random offsets first: unpredictable ports (RFC 6056) and, unlike a walk
 * from one random start, no clustering, so a half-full block costs about
 * two probes. The walk only finishes blocks that are nearly full. */
#define PORT_RANDOM_PROBES 8

/* Claim a free port in a block whose use count the caller already raised.
 * A unit of the block's fill for this protocol is reserved first: a full
 * block fails at once, and a reservation guarantees a FREE slot. */
static __always_inline int claim_port_in_block(struct alloc_req *r, __u32 block)
{
	const struct cgnat_config *cfg = r->cfg;
	struct cgnat_geometry g = geometry(cfg);
	struct cgnat_block_fill *fill = block_fill(block);
	struct port_scan s = {};
	__u32 ip_index = cgnat_block_ip_index(&g, block);
	__u32 same = 0, base = 0, i, *used;

	s.size = cfg->block_size;
	if (!s.size || !fill || r->slot_proto >= CGNAT_NPROTO)
		return -1;
	used = &fill->used[r->slot_proto];
	if (__sync_fetch_and_add(used, 1) >= s.size) {
		__sync_fetch_and_add(used, -1);
		return -1;
	}
	s.first_port = cgnat_block_first_port(&g, block);
	s.slot_base = cgnat_port_slot(ip_index, r->slot_proto, 0);
	s.claim = CGNAT_SLOT_MAKE(r->inside_port, CGNAT_SLOT_USED);
	s.start = bpf_get_prandom_u32() % s.size;
	s.half = s.size;
	base = parity_base(r->inside_port, s.first_port);
	same = parity_count(cfg, base);
	if (same) {
		if ((s.start & 1) != base)
			s.start = (s.start + 1) % s.size;
		s.half = (s.size + 1) / 2;
	}
	for (i = 0; i < PORT_RANDOM_PROBES; i++) {
		if (claim_offset(&s, draw_offset(s.size, base, same, port_draw_take())))
			break;
	}
	if (!s.found)
		bpf_loop(s.size, port_scan_step, &s, 0);
	if (!s.found) {
		__sync_fetch_and_add(used, -1);
		return -1;
	}
	r->ip_index = ip_index;
	r->port = s.found_port;
	return 0;
}

/* Reserve one use of a block held by the subscriber, then claim a port. */
static __always_inline int alloc_in_block(struct alloc_req *r, __u32 block)
{
	__u32 cap = r->cfg->block_size * CGNAT_NPROTO;
	__u64 *w = bpf_map_lookup_elem(&cgnat_blocks, &block);
	int tries;

	if (!w)
		return -1;
	for (tries = 0; tries < 4; tries++) {
		__u64 old = *(volatile __u64 *)w;

		if (CGNAT_BLOCK_OWNER(old) != r->inside_ip || CGNAT_BLOCK_USED(old) >= cap)
			return -1;
		if (__sync_val_compare_and_swap(w, old, old + BLOCK_USE_ONE) == old)
			break;
	}
	if (tries == 4)
		return -1;
	if (claim_port_in_block(r, block) == 0)
		return 0;
	__sync_fetch_and_add(w, -BLOCK_USE_ONE);
	return -1;
}

static __always_inline void release_block_use(__u32 block)
{
	__u64 *w = bpf_map_lookup_elem(&cgnat_blocks, &block);

	if (w)
		__sync_fetch_and_add(w, -BLOCK_USE_ONE);
}

/* Undo a claimed port whose mapping could not be created. */
static __always_inline void release_claimed_port(const struct cgnat_config *cfg,
						 __u32 ip_index, __u32 port, __u8 slot_proto)
{
	struct cgnat_geometry g = geometry(cfg);
	__u32 idx = cgnat_port_slot(ip_index, slot_proto, port);
	long long block = cgnat_block_of(&g, ip_index, port);
	__u32 *slot = port_slot_ptr(idx);

	if (slot)
		*slot = CGNAT_SLOT_FREE;
	if (block >= 0) {
		struct cgnat_block_fill *fill = block_fill((__u32)block);

		if (fill && slot_proto < CGNAT_NPROTO)
			__sync_fetch_and_add(&fill->used[slot_proto], -1);
		release_block_use((__u32)block);
	}
}

/* ---- blocks of one public address ---- */

struct block_scan {
	__u32 first;     /* global id of the address's block 0 */
	__u32 count;     /* blocks_per_ip */
	__u32 start;
	__u32 owner;
	__u32 found;
	__u32 block;
};

static long block_scan_step(__u32 i, void *arg)
{
	struct block_scan *s = arg;
	__u32 b = s->first + (s->start + i) % s->count;
	__u64 *w = bpf_map_lookup_elem(&cgnat_blocks, &b);

	if (!w)
		return 1;
	if (*w != 0)
		return 0;
	/* Claimed with one use already reserved for the port we are about to take. */
	if (__sync_val_compare_and_swap(w, 0, CGNAT_BLOCK_MAKE(s->owner, 1)) != 0)
		return 0;
	s->block = b;
	s->found = 1;
	return 1;
}

static __always_inline __u64 *ip_free_count(__u32 ip_index)
{
	return bpf_map_lookup_elem(&cgnat_ip_free, &ip_index);
}

static __always_inline int claim_block_on_ip(struct alloc_req *r, __u32 ip_index, __u32 *block)
{
	struct block_scan s = {};
	__u64 *free_cnt = ip_free_count(ip_index);
	struct cgnat_global *gs;

	if (!free_cnt || *free_cnt == 0 || !r->cfg->blocks_per_ip)
		return -1;
	s.first = ip_index * r->cfg->blocks_per_ip;
	s.count = r->cfg->blocks_per_ip;
	s.start = bpf_get_prandom_u32() % s.count;
	s.owner = r->inside_ip;
	bpf_loop(s.count, block_scan_step, &s, 0);
	if (!s.found)
		return -1;
	__sync_fetch_and_add(free_cnt, -1);
	gs = global_state();
	if (gs)
		__sync_fetch_and_add(&gs->free_blocks, -1);
	*block = s.block;
	return 0;
}

struct ip_scan {
	__u32 start;
	__u32 n_pool;
	__u32 found;
	__u32 ip_index;
};

static long ip_scan_step(__u32 i, void *arg)
{
	struct ip_scan *s = arg;
	__u32 idx = (s->start + i) % s->n_pool;
	__u64 *cnt = ip_free_count(idx);

	if (!cnt)
		return 1;
	if (*cnt == 0)
		return 0;
	s->ip_index = idx;
	s->found = 1;
	return 1;
}

/* Public address for a subscriber that holds no block: the one it had
 * before if that still has room (stable addresses help users), else the
 * emptier of two random ones (balanced without a global scan), else any. */
static __always_inline int choose_ip(const struct cgnat_config *cfg, __u32 previous_plus1,
				     __u32 *ip_index)
{
	struct cgnat_global *gs = global_state();
	struct ip_scan s = {};
	__u32 a, b;
	__u64 *fa, *fb;

	if (!cfg->n_pool || (gs && gs->free_blocks == 0))
		return -1;
	if (previous_plus1) {
		fa = ip_free_count(previous_plus1 - 1);
		if (fa && *fa) {
			*ip_index = previous_plus1 - 1;
			return 0;
		}
	}
	a = bpf_get_prandom_u32() % cfg->n_pool;
	b = bpf_get_prandom_u32() % cfg->n_pool;
	fa = ip_free_count(a);
	fb = ip_free_count(b);
	if (fa && fb && (*fa || *fb)) {
		*ip_index = *fa >= *fb ? a : b;
		return 0;
	}
	s.start = a;
	s.n_pool = cfg->n_pool;
	bpf_loop(cfg->n_pool, ip_scan_step, &s, 0);
	if (!s.found)
		return -1;
	*ip_index = s.ip_index;
	return 0;
}

static __always_inline void exhausted_event(__u8 type, __u32 inside_ip, __u32 outside_ip)
{
	struct cgnat_global *gs = global_state();
	__u64 now = bpf_ktime_get_ns();

	/* One per second at most: exhaustion comes in storms. */
	if (gs && now - gs->exhausted_event_ns > 1000000000ULL) {
		gs->exhausted_event_ns = now;
		event_notify(type, 0, inside_ip, outside_ip);
	}
}

static __always_inline __u32 pool_ip(__u32 ip_index)
{
	__u32 *ip = bpf_map_lookup_elem(&cgnat_pool_ips, &ip_index);

	return ip ? *ip : 0;
}

/* Entries of blocks[] worth looking at: the loops stop at the highest slot
 * ever used instead of walking all 32 for a subscriber with one block. */
static __always_inline __u32 sub_slots(const struct cgnat_subscriber *sub)
{
	__u32 n = sub->slots_used;

	return n > CGNAT_MAX_BLOCKS_PER_SUB ? CGNAT_MAX_BLOCKS_PER_SUB : n;
}

struct attach_scan {
	struct cgnat_subscriber *sub;
	__u32 ref;
	__u32 done;
};

static long attach_step(__u32 i, void *arg)
{
	struct attach_scan *a = arg;
	__u32 *slot;

	if (i >= CGNAT_MAX_BLOCKS_PER_SUB)
		return 1;
	slot = &a->sub->blocks[i];
	if (*slot == 0 && __sync_val_compare_and_swap(slot, 0, a->ref) == 0) {
		/* Raise the high-water mark to cover slot i (never lower it). */
		__u32 used = a->sub->slots_used;
		int tries;

		for (tries = 0; tries < 8 && used < i + 1; tries++) {
			__u32 seen = __sync_val_compare_and_swap(&a->sub->slots_used, used, i + 1);

			if (seen == used)
				break;
			used = seen;
		}
		a->done = 1;
		return 1;
	}
	return 0;
}

/* Attach a freshly claimed block to the subscriber; 0 on success. */
static __always_inline int attach_block(struct cgnat_subscriber *sub, __u32 block)
{
	struct attach_scan a = { .sub = sub, .ref = block + 1 };

	bpf_loop(CGNAT_MAX_BLOCKS_PER_SUB, attach_step, &a, 0);
	return a.done ? 0 : -1;
}

/* Give back a block we claimed but could not use. */
static __always_inline void unclaim_block(__u32 block, __u32 owner, __u32 ip_index)
{
	__u64 *w = bpf_map_lookup_elem(&cgnat_blocks, &block);
	__u64 *free_cnt = ip_free_count(ip_index);
	struct cgnat_global *gs = global_state();

	if (!w || __sync_val_compare_and_swap(w, CGNAT_BLOCK_MAKE(owner, 1), 0) !=
			  CGNAT_BLOCK_MAKE(owner, 1))
		return;
	if (free_cnt)
		__sync_fetch_and_add(free_cnt, 1);
	if (gs)
		__sync_fetch_and_add(&gs->free_blocks, 1);
}

/* Dynamic modes: a new block for the subscriber, logged (PBA) before use. */
static __always_inline int alloc_new_block(struct alloc_req *r, struct cgnat_subscriber *sub,
					   int holds_blocks)
{
	const struct cgnat_config *cfg = r->cfg;
	struct cgnat_geometry g = geometry(cfg);
	struct cgnat_event *ev = 0;
	__u32 ip_index, block;

	if (holds_blocks) {
		/* Paired pooling (RFC 4787 REQ-2): stay on the same address. */
		if (!sub->ip_index_plus1)
			return ALLOC_PORTS_EXHAUSTED;
		ip_index = sub->ip_index_plus1 - 1;
	} else if (choose_ip(cfg, sub->ip_index_plus1, &ip_index)) {
		exhausted_event(CGNAT_EV_ADDRESSES_EXHAUSTED, r->inside_ip, 0);
		return ALLOC_ADDRS_EXHAUSTED;
	}
	if (claim_block_on_ip(r, ip_index, &block)) {
		if (holds_blocks) {
			exhausted_event(CGNAT_EV_PORTS_EXHAUSTED, r->inside_ip, pool_ip(ip_index));
			return ALLOC_PORTS_EXHAUSTED;
		}
		exhausted_event(CGNAT_EV_ADDRESSES_EXHAUSTED, r->inside_ip, 0);
		return ALLOC_ADDRS_EXHAUSTED;
	}
	/* Fail closed: the block is claimed but unused until its record is queued. */
	if (cfg->mode == CGNAT_MODE_PBA) {
		ev = event_reserve();
		if (!ev) {
			unclaim_block(block, r->inside_ip, ip_index);
			return ALLOC_EVENT_RING_FULL;
		}
	}
	if (attach_block(sub, block)) {
		unclaim_block(block, r->inside_ip, ip_index);
		if (ev)
			bpf_ringbuf_discard(ev, 0);
		return ALLOC_QUOTA_PORTS;
	}
	sub->ip_index_plus1 = ip_index + 1;
	stat_inc(CGNAT_STAT_BLOCK_ALLOCATED);
	if (ev) {
		__u32 first = cgnat_block_first_port(&g, block);

		__builtin_memset(ev, 0, sizeof(*ev));
		ev->type = CGNAT_EV_BLOCK_ALLOC;
		ev->inside_ip = r->inside_ip;
		ev->outside_ip = pool_ip(ip_index);
		ev->outside_port = bpf_htons(first);
		ev->outside_port_last = bpf_htons(first + cfg->block_size - 1);
		event_submit(ev);
	}
	/* The claim reserved one use of the block for this port. */
	if (claim_port_in_block(r, block) == 0)
		return ALLOC_OK;
	release_block_use(block);
	return ALLOC_PORTS_EXHAUSTED;
}

/* Deterministic mode: the subscriber's only block, claimed on first use. */
static __always_inline int ensure_det_block(__u32 block, __u32 owner)
{
	__u64 *w = bpf_map_lookup_elem(&cgnat_blocks, &block);
	__u64 old;

	if (!w)
		return -1;
	old = *(volatile __u64 *)w;
	if (CGNAT_BLOCK_OWNER(old) == owner)
		return 0;
	if (old != 0)
		return -1;
	__sync_val_compare_and_swap(w, 0, CGNAT_BLOCK_MAKE(owner, 0));
	return CGNAT_BLOCK_OWNER(*(volatile __u64 *)w) == owner ? 0 : -1;
}

struct held_scan {
	struct alloc_req *r;
	struct cgnat_subscriber *sub;
	__u32 used;    /* port slots in use or held, all blocks */
	__u32 held;    /* blocks */
	__u32 broken;  /* deterministic block taken by someone else */
	__u32 found;   /* allocation pass: success */
};

/* Count what the subscriber holds; drop references to released blocks. */
static long held_step(__u32 i, void *arg)
{
	struct held_scan *h = arg;
	__u32 ref, b;
	__u64 *w;

	if (i >= CGNAT_MAX_BLOCKS_PER_SUB)
		return 1;
	ref = h->sub->blocks[i];
	if (!ref)
		return 0;
	b = ref - 1;
	if (h->r->cfg->mode == CGNAT_MODE_DETERMINISTIC && ensure_det_block(b, h->r->inside_ip)) {
		h->broken = 1;
		return 1;
	}
	w = bpf_map_lookup_elem(&cgnat_blocks, &b);
	if (!w || CGNAT_BLOCK_OWNER(*w) != h->r->inside_ip) {
		__sync_val_compare_and_swap(&h->sub->blocks[i], ref, 0);
		return 0;
	}
	h->held++;
	h->used += CGNAT_BLOCK_USED(*w);
	return 0;
}

static long alloc_step(__u32 i, void *arg)
{
	struct held_scan *h = arg;
	__u32 ref;

	if (i >= CGNAT_MAX_BLOCKS_PER_SUB)
		return 1;
	ref = h->sub->blocks[i];
	if (ref && alloc_in_block(h->r, ref - 1) == 0) {
		h->found = 1;
		return 1;
	}
	return 0;
}

/* Start reading what a new port in block ref - 1 will touch (block word,
 * fill counters, the slot of the port this CPU's pending draw picks: the
 * first one claim_port_in_block() tries) without waiting for it: a new
 * flow's other cache misses are still in flight. A global function,
 * verified once. */
__noinline int alloc_touch(__u32 ref, __u32 slot_proto, __u16 inside_port)
{
	__u32 zero = 0, block = ref - 1, first, base, idx, *slot, *draw;
	const struct cgnat_config *cfg = bpf_map_lookup_elem(&cgnat_config, &zero);
	struct cgnat_block_fill *fill;
	struct cgnat_geometry g;
	__u64 *w;

	draw = bpf_map_lookup_elem(&cgnat_port_draw, &zero);
	if (!cfg || !draw || !ref || slot_proto >= CGNAT_NPROTO || !cfg->blocks_per_ip ||
	    !cfg->block_size)
		return 0;
	g = geometry(cfg);
	w = bpf_map_lookup_elem(&cgnat_blocks, &block);
	fill = block_fill(block);
	first = cgnat_block_first_port(&g, block);
	base = parity_base(inside_port, first);
	idx = cgnat_port_slot(cgnat_block_ip_index(&g, block), slot_proto,
			      first + draw_offset(cfg->block_size, base,
						  parity_count(cfg, base), *draw));
	slot = port_slot_ptr(idx);
	if (w)
		READ_AHEAD(*w);
	if (fill)
		READ_AHEAD(fill->used[0]);
	if (slot)
		READ_AHEAD(*slot);
	return 0;
}

/* The block a subscriber's next port most likely comes from: its newest. */
static __always_inline __u32 newest_block_ref(const struct cgnat_subscriber *sub)
{
	__u32 n = sub_slots(sub);

	return n ? sub->blocks[(n - 1) & (CGNAT_MAX_BLOCKS_PER_SUB - 1)] : 0;
}

/* Find an outside port for (inside_ip, inside_port, proto). */
static __always_inline int alloc_port(struct alloc_req *r, struct cgnat_subscriber *sub)
{
	const struct cgnat_config *cfg = r->cfg;
	struct held_scan h = { .r = r, .sub = sub };

	bpf_loop(sub_slots(sub), held_step, &h, 0);
	if (h.broken)
		return ALLOC_PORTS_EXHAUSTED;
	if (h.used >= cfg->max_ports_per_sub)
		return ALLOC_QUOTA_PORTS;
	bpf_loop(sub_slots(sub), alloc_step, &h, 0);
	if (h.found)
		return ALLOC_OK;
	if (cfg->mode == CGNAT_MODE_DETERMINISTIC)
		return ALLOC_QUOTA_PORTS; /* its one range is full */
	if (h.held >= cfg->max_blocks_per_sub)
		return ALLOC_QUOTA_PORTS;
	return alloc_new_block(r, sub, h.held > 0);
}

#endif
