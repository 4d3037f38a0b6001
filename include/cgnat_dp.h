/* Structures shared by the BPF dataplane and userspace (agent, cgnatctl, tests).
 *
 * Addresses and ports are kept in network byte order, exactly as they sit in
 * packets, so the fast path never byte-swaps. Sizes are fixed and padded by
 * hand: these structs are map keys and values and event records.
 */
#ifndef CGNAT_DP_H
#define CGNAT_DP_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Protocol slots of the port table: TCP, UDP and ICMP (echo identifiers)
 * each have their own 16-bit space on every public address. */
enum cgnat_proto_slot {
	CGNAT_P_TCP = 0,
	CGNAT_P_UDP = 1,
	CGNAT_P_ICMP = 2,
	CGNAT_NPROTO = 3,
};

static inline __u8 cgnat_slot_ipproto(__u8 slot)
{
	return slot == CGNAT_P_TCP ? 6 : slot == CGNAT_P_UDP ? 17 : 1; /* IPPROTO_* */
}

#define CGNAT_MAX_BLOCKS_PER_SUB 32
#define CGNAT_MAX_IFACES 8
#define CGNAT_PORTS_PER_IP 65536

/* ---- configuration (array map, one entry, written by the agent) ---- */

enum cgnat_mode {
	CGNAT_MODE_PBA = 0,
	CGNAT_MODE_DETERMINISTIC = 1,
	CGNAT_MODE_SESSION = 2,
};

enum cgnat_config_flags {
	CGNAT_CF_ADDRESS_DEPENDENT_FILTER = 1 << 0, /* RFC 4787 REQ-8 ADF instead of EIF */
	CGNAT_CF_PORT_PARITY = 1 << 1,              /* RFC 4787 REQ-4 */
	CGNAT_CF_HAIRPIN = 1 << 2,                  /* RFC 4787 REQ-9 */
	CGNAT_CF_LOG_DESTINATIONS = 1 << 3,         /* RFC 6888 REQ-12: off by default */
	CGNAT_CF_POOL_LUT = 1 << 4,                 /* pool index by direct table (cgnat_pool_lut) */
	CGNAT_CF_READY = 1 << 31,                   /* agent finished filling the maps */
};

enum cgnat_timeout {
	CGNAT_TO_UDP = 0,
	CGNAT_TO_TCP_ESTABLISHED = 1,
	CGNAT_TO_TCP_TRANSITORY = 2,
	CGNAT_TO_ICMP = 3,
	CGNAT_TO_MAX = 4,
};

struct cgnat_config {
	__u32 mode;                 /* enum cgnat_mode */
	__u32 flags;                /* enum cgnat_config_flags */
	__u32 port_min;             /* host order, first port of block 0 */
	__u32 block_size;           /* ports per block (per subscriber in deterministic mode) */
	__u32 blocks_per_ip;
	__u32 n_pool;               /* public addresses */
	__u32 max_blocks_per_sub;
	__u32 max_ports_per_sub;
	__u32 max_sessions_per_sub;
	__u32 icmp_error_rate;      /* per second, 0 = never send */
	__u32 timeout[CGNAT_TO_MAX];/* seconds */
	__u64 det_subscribers;      /* deterministic: number of subscriber addresses */
	__u32 epoch;                /* bumped on every applied configuration */
	__u32 session_mask;         /* session table slots - 1 (cgnat_sessions.h) */
	__u64 layout_hash;          /* pool, prefixes, mode and geometry the maps were built for */
	/* Checked on every packet, so kept here instead of in hash maps. */
	__u32 pool_lo, pool_hi;     /* host order bounds of the pool */
	__u32 inside_if[CGNAT_MAX_IFACES];  /* ifindexes, 0-terminated */
	__u32 outside_if[CGNAT_MAX_IFACES];
	__u32 max_sessions;         /* mappings at most, all subscribers */
	__u32 pad;
};

/* The fast path's clock: CLOCK_MONOTONIC in seconds, by multiply and shift
 * (a 64-bit division costs tens of cycles per packet). The same function
 * serves the agent and cgnatctl, so everyone agrees; exact to 1e-5 and
 * valid for 15 years of uptime. */
static inline __u32 cgnat_ns_to_sec(__u64 ns)
{
	return (__u32)(((ns >> 9) * 17592ULL) >> 35);
}

/* ---- interfaces (hash: ifindex -> role) ---- */

enum cgnat_if_role {
	CGNAT_IF_INSIDE = 1,
	CGNAT_IF_OUTSIDE = 2,
};

struct cgnat_iface {
	__u32 role;   /* enum cgnat_if_role */
	__u32 ipv4;   /* first address of the interface, source of ICMP errors we send */
};

/* ---- subscriber prefixes (LPM trie) ---- */

struct cgnat_prefix_key {
	__u32 prefixlen;
	__u32 addr;
};

struct cgnat_prefix_info {
	__u64 first_index; /* subscriber index of the prefix's first address (deterministic mode) */
	__u32 first_addr;  /* host order */
	__u32 pad;
};

/* ---- mappings: one per inside ip:port/proto (endpoint-independent mapping) ---- */

struct cgnat_mapping_key {
	__u32 inside_ip;
	__u16 inside_port;   /* ICMP: echo identifier */
	__u8 proto;          /* enum cgnat_proto_slot */
	__u8 pad;
};

/* TCP states after RFC 6146 section 3.5.2 / RFC 7857 section 2.2. */
enum cgnat_tcp_state {
	CGNAT_TCP_CLOSED = 0,
	CGNAT_TCP_SYN_OUT = 1,      /* V4 INIT: SYN seen from inside */
	CGNAT_TCP_SYN_IN = 2,       /* SYN seen from outside first (simultaneous open) */
	CGNAT_TCP_ESTABLISHED = 3,
	CGNAT_TCP_FIN_OUT = 4,      /* FIN seen from inside */
	CGNAT_TCP_FIN_IN = 5,       /* FIN seen from outside */
	CGNAT_TCP_FIN_BOTH = 6,
	CGNAT_TCP_RST = 7,          /* RST seen: kept 4 minutes, RFC 7857 REQ-4 */
};

struct cgnat_mapping {
	__u32 outside_ip;
	__u16 outside_port;
	__u8 tcp_state;      /* enum cgnat_tcp_state, TCP only */
	__u8 pad;
	__u32 last_seen;     /* CLOCK_MONOTONIC seconds */
	__u32 remote_ip;     /* first destination, for address-dependent filtering */
};

/* Idle time after which a mapping (or peer) in this state expires. */
static inline __u32 cgnat_mapping_timeout(const struct cgnat_config *cfg, __u8 slot,
					  __u8 tcp_state)
{
	if (slot == CGNAT_P_UDP)
		return cfg->timeout[CGNAT_TO_UDP];
	if (slot == CGNAT_P_ICMP)
		return cfg->timeout[CGNAT_TO_ICMP];
	if (tcp_state == CGNAT_TCP_ESTABLISHED)
		return cfg->timeout[CGNAT_TO_TCP_ESTABLISHED];
	return cfg->timeout[CGNAT_TO_TCP_TRANSITORY];
}

/* Extra destinations of one mapping (address-dependent filtering). */
struct cgnat_peer_key {
	struct cgnat_mapping_key m;
	__u32 remote_ip;
};

struct cgnat_peer {
	__u32 last_seen;
	__u8 tcp_state;
	__u8 pad[3];
};

/* ---- port table: one 32-bit slot per (public ip, protocol, port) ----
 * Array map, index cgnat_port_slot(). Claimed with compare-and-swap from
 * FREE, so two CPUs can never hand out the same port. The agent moves a
 * slot to HELD when its mapping expires and to FREE 120 s later (RFC 6888
 * REQ-8). The owner's inside address lives in the block table. */
enum cgnat_slot_state {
	CGNAT_SLOT_FREE = 0,
	CGNAT_SLOT_USED = 1,
	CGNAT_SLOT_HELD = 2,
};

#define CGNAT_SLOT_PORT(v) ((__u16)((v) & 0xffff))       /* inside port, network order */
#define CGNAT_SLOT_STATE(v) (((v) >> 16) & 0xff)
#define CGNAT_SLOT_MAKE(port, state) ((__u32)(port) | ((__u32)(state) << 16))

static inline __u32 cgnat_port_slot(__u32 ip_index, __u32 proto, __u32 port_host)
{
	return ((ip_index * CGNAT_NPROTO + proto) << 16) | (port_host & 0xffff);
}

/* Array elements are padded to 8 bytes, so slots are stored 16 to an
 * element: 4 bytes per slot, and userspace sees one flat __u32 array. */
#define CGNAT_SLOTS_PER_GROUP 16
struct cgnat_port_group {
	__u32 slot[CGNAT_SLOTS_PER_GROUP];
};
_Static_assert(sizeof(struct cgnat_port_group) % 8 == 0, "mmapped array stride");

/* ---- block table: one 64-bit word per port block ----
 * Array map indexed by global block id = ip_index * blocks_per_ip + n.
 * Low 32 bits: owner inside address (0 = free); high 32 bits: port slots
 * of the block in use or held. Both change in one compare-and-swap, so a
 * block is released only when nothing uses it. */
#define CGNAT_BLOCK_OWNER(w) ((__u32)((w) & 0xffffffffULL))
#define CGNAT_BLOCK_USED(w) ((__u32)((w) >> 32))
#define CGNAT_BLOCK_MAKE(owner, used) ((__u64)(owner) | ((__u64)(used) << 32))

/* ---- block fill: port slots in use or held, per protocol ----
 * Array map indexed like the block table. The block word's count covers
 * all protocols (it decides when a block can go back to the pool); this one
 * lets the fast path skip a block that is full for one protocol without
 * scanning it, and guarantees a free slot to whoever reserved one here. */
struct cgnat_block_fill {
	__u32 used[CGNAT_NPROTO];
	__u32 pad;
};
_Static_assert(sizeof(struct cgnat_block_fill) % 8 == 0, "mmapped array stride");

/* ---- subscribers (hash: inside ip -> state), lock-free ---- */

struct cgnat_subscriber {
	__u32 ip_index_plus1;                  /* paired public address; 0 = none yet */
	__u32 sessions;                        /* mappings + extra peers (atomic) */
	__u32 slots_used;                      /* blocks[] entries ever used: loops stop here */
	__u32 pad;
	__u32 blocks[CGNAT_MAX_BLOCKS_PER_SUB];/* global block id + 1; 0 = empty slot */
	__u64 quota_event_ns;                  /* last quota event, rate-limits them */
};

/* ---- global counters shared with userspace (mmapable array, one entry) ---- */

struct cgnat_global {
	__u64 event_seq;          /* next event sequence number (atomic) */
	__u64 free_blocks;        /* blocks with no owner, all addresses (atomic) */
	__u64 exhausted_event_ns; /* last ports/addresses-exhausted event, rate limit */
	__u64 sessions;           /* mappings in the session table (atomic) */
};
_Static_assert(sizeof(struct cgnat_global) % 8 == 0, "mmapped array stride");

/* ---- events (ring buffer) ---- natEvent values from RFC 8158. */
enum cgnat_event_type {
	CGNAT_EV_ADDRESSES_EXHAUSTED = 3,
	CGNAT_EV_SESSION_CREATE = 4,
	CGNAT_EV_SESSION_DELETE = 5,
	CGNAT_EV_PORTS_EXHAUSTED = 12,
	CGNAT_EV_QUOTA_EXCEEDED = 13,
	CGNAT_EV_BLOCK_ALLOC = 16,
	CGNAT_EV_BLOCK_RELEASE = 17,
	/* Written by the agent only, never by the dataplane: */
	CGNAT_EV_BLOCK_ACTIVE = 240,   /* checkpoint at the start of a log file */
	CGNAT_EV_SESSION_ACTIVE = 241, /* checkpoint at the start of a log file */
};

struct cgnat_event {
	__u64 seq;               /* unique, increasing per dataplane instance */
	__u64 time_ns;           /* CLOCK_TAI nanoseconds */
	__u8 type;               /* enum cgnat_event_type */
	__u8 proto;              /* IPPROTO_*; 0 for blocks */
	__u16 pad;
	__u32 inside_ip;
	__u32 outside_ip;
	__u16 inside_port;
	__u16 outside_port;      /* session: the port; block: first port */
	__u16 outside_port_last; /* block: last port; session: same as outside_port */
	__u16 remote_port;
	__u32 remote_ip;         /* 0 unless destinations are logged */
};

/* ---- fragments: later fragments follow the first one's translation ---- */
enum cgnat_frag_dir {
	CGNAT_FRAG_OUT = 1,
	CGNAT_FRAG_IN = 2,
};

struct cgnat_frag_key {
	__u32 saddr;   /* as received, before translation */
	__u32 daddr;
	__u16 id;
	__u8 proto;
	__u8 dir;      /* enum cgnat_frag_dir */
};

struct cgnat_frag {
	__u32 addr;    /* the translated source (out) or destination (in) */
	__u32 pad;
	__u64 seen_ns;
};

/* RFC 791's reassembly timer is 15 s; IPv4 ids may repeat after that. */
#define CGNAT_FRAG_TIMEOUT_NS (15ULL * 1000000000ULL)

/* ---- counters (per-CPU array) ---- */
#define CGNAT_STATS(X) \
	X(RX_INSIDE, "packets received on inside interfaces") \
	X(RX_OUTSIDE, "packets received on outside interfaces") \
	X(XLATE_OUT, "packets translated inside -> outside") \
	X(XLATE_IN, "packets translated outside -> inside") \
	X(XLATE_HAIRPIN, "packets hairpinned inside -> inside") \
	X(XLATE_ICMP_ERROR, "ICMP errors translated") \
	X(TC_XLATE_OUT, "packets translated by tc after kernel forwarding") \
	X(REDIRECT, "packets redirected by XDP") \
	X(PASS_NOT_NAT, "packets passed: not subject to NAT") \
	X(PASS_FIB, "packets passed: route or neighbour needs the kernel") \
	X(PASS_TTL, "packets passed: TTL expires here") \
	X(XLATE_FRAGMENT, "non-first fragments translated like their first fragment") \
	X(MAPPING_CREATED, "mappings created") \
	X(MAPPING_EXPIRED, "mappings expired (or flushed)") \
	X(PEER_CREATED, "extra destinations tracked (address-dependent filtering)") \
	X(PEER_EXPIRED, "extra destinations expired") \
	X(BLOCK_ALLOCATED, "port blocks allocated") \
	X(DROP_MALFORMED, "drops: malformed or truncated packet") \
	X(DROP_SPOOFED, "drops: inside source not a subscriber prefix") \
	X(DROP_NO_MAPPING, "drops: inbound with no mapping") \
	X(DROP_FILTERED, "drops: inbound filtered (address-dependent filtering)") \
	X(DROP_UNSUPPORTED, "drops: protocol cannot be translated") \
	X(DROP_ICMP_NO_MAPPING, "drops: ICMP error for no mapping") \
	X(DROP_QUOTA_SESSIONS, "drops: subscriber session limit") \
	X(DROP_QUOTA_PORTS, "drops: subscriber port limit") \
	X(DROP_PORTS_EXHAUSTED, "drops: no free port block on the subscriber's address") \
	X(DROP_ADDRS_EXHAUSTED, "drops: no public address has a free block") \
	X(DROP_TABLE_FULL, "drops: session table full") \
	X(DROP_SESSION_BUSY, "drops: session slot changing on another CPU") \
	X(DROP_EVENT_RING_FULL, "drops: event ring buffer full, mapping refused") \
	X(DROP_NOT_READY, "drops: dataplane not configured yet") \
	X(DROP_FRAGMENT, "drops: non-first fragment before its first fragment") \
	X(ICMP_SENT, "ICMP errors sent by the NAT") \
	X(ICMP_RATE_LIMITED, "ICMP errors suppressed by the rate limit") \
	X(EVENTS_LOST, "events lost (ring buffer full, not fail-closed)")

#define CGNAT_STAT_ENUM(name, help) CGNAT_STAT_##name,
enum cgnat_stat { CGNAT_STATS(CGNAT_STAT_ENUM) CGNAT_STAT_MAX };
#undef CGNAT_STAT_ENUM

#endif
