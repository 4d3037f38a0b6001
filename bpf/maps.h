/* Every map of the dataplane. Sizes marked "resized" are set by the agent
 * from the configuration before load (bpf_map__set_max_entries). */
#ifndef CGNAT_BPF_MAPS_H
#define CGNAT_BPF_MAPS_H

#include "cgnat_dp.h"
#include "cgnat_gc.h"
#include "cgnat_sessions.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgnat_config);
} cgnat_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* ifindex */
	__type(value, struct cgnat_iface);
} cgnat_ifaces SEC(".maps");

/* Redirect targets by interface slot (inside i -> i, outside i ->
 * CGNAT_MAX_IFACES + i, the order of the config's lists): an array devmap
 * is an index, not a hash lookup, and lets XDP bulk transmissions. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 2 * CGNAT_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} cgnat_tx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cgnat_prefix_key);
	__type(value, struct cgnat_prefix_info);
} cgnat_prefixes SEC(".maps");

/* public address -> index into the pool (resized) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} cgnat_pool_index SEC(".maps");

/* (address - pool_lo) -> index + 1, when the pool spans at most 64K
 * addresses (resized): an array read instead of a hash lookup per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} cgnat_pool_lut SEC(".maps");

/* index -> public address (resized) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} cgnat_pool_ips SEC(".maps");

/* Endpoint-independent mappings, the session table of
 * include/cgnat_sessions.h: cgnat_session_slots(limits.max_sessions) slots
 * (resized), mmapped by the agent to scan for expiry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cgnat_session_slot);
} cgnat_mappings SEC(".maps");

/* Further destinations of a mapping, address-dependent filtering only (resized). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cgnat_peer_key);
	__type(value, struct cgnat_peer);
} cgnat_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct cgnat_subscriber);
} cgnat_subscribers SEC(".maps");

/* Port slots, see cgnat_port_slot() (resized: n_pool * 3 * 65536 / 16). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16 * CGNAT_NPROTO * CGNAT_PORTS_PER_IP / CGNAT_SLOTS_PER_GROUP);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cgnat_port_group);
} cgnat_ports SEC(".maps");

/* Block words (resized: n_pool * blocks_per_ip). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16 * 256);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} cgnat_blocks SEC(".maps");

/* Per-protocol fill of each block (resized like cgnat_blocks). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16 * 256);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cgnat_block_fill);
} cgnat_block_fill SEC(".maps");

/* Free blocks per public address (resized: n_pool), kept by the fast path
 * (claims) and the agent (releases) with atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} cgnat_ip_free SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cgnat_global);
} cgnat_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CGNAT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cgnat_stats SEC(".maps");

/* Translation events to the agent (resized from logging config). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} cgnat_events SEC(".maps");

/* Per CPU: the random draw the next port probe will use (see
 * port_draw_take()). Drawn ahead so alloc_touch() can read the port slot
 * it picks while other cache misses are in flight. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgnat_port_draw SEC(".maps");

/* First fragments seen, so later fragments get the same address; an LRU
 * because fragments that never complete must not pin entries. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cgnat_frag_key);
	__type(value, struct cgnat_frag);
} cgnat_frags SEC(".maps");

/* Per-CPU cache of recently used outbound mappings: an array index
 * instead of a hash lookup for busy flows. An entry is good for the second
 * it was checked in (see outbound_mapping()). */
#define FLOW_CACHE_SIZE 4096

/* Where the FIB sent this flow's last packet, so the next ones in the same
 * second skip bpf_fib_lookup. Valid for one destination and ingress
 * interface, and only up to the largest packet the FIB let through (on
 * success it does not report the MTU). */
struct flow_route {
	__u32 daddr;
	__u32 ingress;
	__u32 checked;     /* second of the FIB lookup; 0 = none */
	__u32 epoch;       /* configuration it was looked up under (interface slots) */
	__u16 max_len;     /* largest tot_len the lookup accepted */
	__u8 egress_slot;  /* iface_slot() of the egress: the cgnat_tx key */
	__u8 pad;
	__u8 dmac[6];
	__u8 smac[6];
};

struct flow_cache_entry {
	struct cgnat_mapping_key key;
	__u32 outside_ip;
	__u16 outside_port;
	__u8 tcp_established;
	__u8 pad;
	__u32 remote_ip;
	__u32 checked; /* second of the last full lookup */
	struct flow_route route;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOW_CACHE_SIZE);
	__type(key, __u32);
	__type(value, struct flow_cache_entry);
} cgnat_flow_cache SEC(".maps");

/* Work list the agent hands to the cgnat_gc program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CGNAT_GC_BATCH);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cgnat_gc_entry);
} cgnat_gc_batch SEC(".maps");

/* Per-CPU scratch for building a subscriber entry: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgnat_subscriber);
} cgnat_sub_scratch SEC(".maps");

/* Token bucket for ICMP errors the NAT itself sends, one per CPU. */
struct icmp_bucket {
	__u64 last_ns;
	__u64 tokens_milli;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct icmp_bucket);
} cgnat_icmp_bucket SEC(".maps");

/* Start a load whose value is not needed yet: its cache miss then
 * overlaps the misses that follow instead of adding to them. */
#define READ_AHEAD(lvalue) asm volatile("" : : "r"(*(volatile typeof(lvalue) *)&(lvalue)))

static __always_inline __u32 *port_slot_ptr(__u32 idx)
{
	__u32 group = idx / CGNAT_SLOTS_PER_GROUP;
	struct cgnat_port_group *g = bpf_map_lookup_elem(&cgnat_ports, &group);

	return g ? &g->slot[idx & (CGNAT_SLOTS_PER_GROUP - 1)] : 0;
}

static __always_inline void stat_inc(enum cgnat_stat s)
{
	__u32 key = s;
	__u64 *v = bpf_map_lookup_elem(&cgnat_stats, &key);

	if (v)
		*v += 1;
}

#endif
