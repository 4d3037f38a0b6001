/* The NAT44 translation core, shared by the XDP and tc entry points.
 *
 * Lookups return 0 or the counter of the drop reason (enum cgnat_stat), so
 * the entry points can count and act on every refusal the same way.
 */
#ifndef CGNAT_BPF_NAT_H
#define CGNAT_BPF_NAT_H

#include "alloc.h"
#include "parse.h"
#include "sessions.h"
#include "tcp_state.h"

struct nat_env {
	const struct cgnat_config *cfg;
	__u32 now;       /* CLOCK_MONOTONIC seconds */
	long dst_pool;   /* pool index of the outer destination, -1: none (looked up once) */
};

/* Where an endpoint is translated to. Network byte order. */
struct nat_target {
	__u32 ip;
	__u16 port;
	__u16 pad;
};

static __always_inline const struct cgnat_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cgnat_config, &zero);
}

static __always_inline __u32 now_seconds(void)
{
	return cgnat_ns_to_sec(bpf_ktime_get_coarse_ns());
}

static __always_inline struct cgnat_prefix_info *subscriber_prefix(__u32 addr)
{
	struct cgnat_prefix_key k = { .prefixlen = 32, .addr = addr };

	return bpf_map_lookup_elem(&cgnat_prefixes, &k);
}

/* Index of a public address; -1 when addr is not in the pool. A range
 * test first: most destinations of outbound packets are not. */
static __always_inline long pool_index_of(const struct cgnat_config *cfg, __u32 addr)
{
	__u32 h = bpf_ntohl(addr), *v;

	if (h < cfg->pool_lo || h > cfg->pool_hi)
		return -1;
	if (cfg->flags & CGNAT_CF_POOL_LUT) {
		__u32 off = h - cfg->pool_lo;

		v = bpf_map_lookup_elem(&cgnat_pool_lut, &off);
		return v && *v ? (long)*v - 1 : -1;
	}
	v = bpf_map_lookup_elem(&cgnat_pool_index, &addr);
	return v ? (long)*v : -1;
}

/* Subscriber state: sub when the caller found it, else created on the
 * first new flow (*spoofed set when the address is no subscriber).
 * Deterministic mode computes the subscriber's one block here (RFC 7422). */
static __always_inline struct cgnat_subscriber *
subscriber_get(const struct cgnat_config *cfg, __u32 inside_ip, struct cgnat_subscriber *sub,
	       int *spoofed)
{
	struct cgnat_prefix_info *pfx;
	struct cgnat_subscriber *fresh;
	__u32 zero = 0;

	/* An entry exists only for an address that passed the prefix check
	 * (prefixes cannot change under a running dataplane), so the LPM
	 * lookup is paid once per subscriber, not per new flow. */
	if (sub)
		return sub;
	pfx = subscriber_prefix(inside_ip);
	if (!pfx) {
		*spoofed = 1; /* anti-spoofing */
		return 0;
	}
	fresh = bpf_map_lookup_elem(&cgnat_sub_scratch, &zero);
	if (!fresh)
		return 0;
	__builtin_memset(fresh, 0, sizeof(*fresh));
	if (cfg->mode == CGNAT_MODE_DETERMINISTIC) {
		struct cgnat_geometry g = geometry(cfg);
		__u64 k = pfx->first_index + (bpf_ntohl(inside_ip) - pfx->first_addr);
		long long block;

		if (k >= cfg->det_subscribers)
			return 0;
		block = cgnat_det_block(&g, k);
		if (block < 0)
			return 0;
		fresh->blocks[0] = (__u32)block + 1;
		fresh->slots_used = 1;
		fresh->ip_index_plus1 = cgnat_block_ip_index(&g, (__u32)block) + 1;
	}
	bpf_map_update_elem(&cgnat_subscribers, &inside_ip, fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&cgnat_subscribers, &inside_ip);
}

static __always_inline void quota_event(struct cgnat_subscriber *sub, __u8 slot,
					__u32 inside_ip)
{
	__u64 now = bpf_ktime_get_ns();

	/* One per subscriber per second: a looping client must not flood the log. */
	if (now - sub->quota_event_ns > 1000000000ULL) {
		sub->quota_event_ns = now;
		event_notify(CGNAT_EV_QUOTA_EXCEEDED, cgnat_slot_ipproto(slot), inside_ip, 0);
	}
}

static __always_inline int alloc_result_stat(int r)
{
	switch (r) {
	case ALLOC_QUOTA_SESSIONS:
		return CGNAT_STAT_DROP_QUOTA_SESSIONS;
	case ALLOC_QUOTA_PORTS:
		return CGNAT_STAT_DROP_QUOTA_PORTS;
	case ALLOC_PORTS_EXHAUSTED:
		return CGNAT_STAT_DROP_PORTS_EXHAUSTED;
	case ALLOC_ADDRS_EXHAUSTED:
		return CGNAT_STAT_DROP_ADDRS_EXHAUSTED;
	case ALLOC_EVENT_RING_FULL:
		return CGNAT_STAT_DROP_EVENT_RING_FULL;
	default:
		return CGNAT_STAT_DROP_TABLE_FULL;
	}
}

/* The subscriber's count is shared (its quota needs the exact value); the
 * global figure comes from per-CPU counters instead of a contended atomic. */
static __always_inline void session_count(struct cgnat_subscriber *sub, int delta)
{
	if (sub)
		__sync_fetch_and_add(&sub->sessions, delta);
}

/* A place in limits.max_sessions, taken before the mapping is created. */
static __always_inline int session_reserve(const struct cgnat_config *cfg)
{
	struct cgnat_global *gs = global_state();

	if (!gs)
		return -1;
	if (__sync_fetch_and_add(&gs->sessions, 1) >= cfg->max_sessions) {
		__sync_fetch_and_add(&gs->sessions, -1);
		return -1;
	}
	return 0;
}

static __always_inline void session_unreserve(void)
{
	struct cgnat_global *gs = global_state();

	if (gs)
		__sync_fetch_and_add(&gs->sessions, -1);
}

static __always_inline int session_insert_stat(int r)
{
	return r == SESSION_FULL ? CGNAT_STAT_DROP_TABLE_FULL : CGNAT_STAT_DROP_SESSION_BUSY;
}

/* New mapping for an outbound packet. Fails closed: in per-session logging
 * mode the event is reserved before the mapping exists. *out points at the
 * mapping in the table (another CPU's if it created the same one first). */
static __always_inline int mapping_create(struct nat_env *env, const struct l4_tuple *t,
					  __u8 tcp_flags, struct cgnat_mapping_key *key,
					  struct cgnat_subscriber *sub, struct cgnat_mapping **out)
{
	const struct cgnat_config *cfg = env->cfg;
	struct cgnat_event *ev = 0;
	struct alloc_req req = {};
	struct cgnat_mapping m = {};
	int r, spoofed = 0;

	sub = subscriber_get(cfg, t->saddr, sub, &spoofed);
	if (!sub)
		return spoofed ? CGNAT_STAT_DROP_SPOOFED : CGNAT_STAT_DROP_TABLE_FULL;
	if (sub->sessions >= cfg->max_sessions_per_sub) {
		quota_event(sub, t->slot, t->saddr);
		return CGNAT_STAT_DROP_QUOTA_SESSIONS;
	}
	if (session_reserve(cfg))
		return CGNAT_STAT_DROP_TABLE_FULL;
	req.cfg = cfg;
	req.inside_ip = t->saddr;
	req.inside_port = t->sport;
	req.slot_proto = t->slot;
	r = alloc_port(&req, sub);
	if (r != ALLOC_OK) {
		session_unreserve();
		if (r == ALLOC_QUOTA_PORTS || r == ALLOC_QUOTA_SESSIONS)
			quota_event(sub, t->slot, t->saddr);
		return alloc_result_stat(r);
	}
	/* Fail closed: the port is claimed but unpublished until its record is queued. */
	if (cfg->mode == CGNAT_MODE_SESSION) {
		ev = event_reserve();
		if (!ev) {
			release_claimed_port(cfg, req.ip_index, req.port, t->slot);
			session_unreserve();
			return CGNAT_STAT_DROP_EVENT_RING_FULL;
		}
	}
	m.outside_ip = pool_ip(req.ip_index);
	m.outside_port = bpf_htons(req.port);
	m.last_seen = env->now;
	m.remote_ip = t->daddr;
	if (t->slot == CGNAT_P_TCP)
		m.tcp_state = tcp_next_state(CGNAT_TCP_CLOSED, tcp_flags, 1);
	r = session_insert(cfg, key, &m, out);
	if (r != SESSION_CLAIMED) {
		/* SESSION_FOUND: another CPU created it first; use theirs. */
		release_claimed_port(cfg, req.ip_index, req.port, t->slot);
		session_unreserve();
		if (ev)
			bpf_ringbuf_discard(ev, 0);
		return r == SESSION_FOUND ? 0 : session_insert_stat(r);
	}
	session_count(sub, 1);
	stat_inc(CGNAT_STAT_MAPPING_CREATED);
	if (ev) {
		__builtin_memset(ev, 0, sizeof(*ev));
		ev->type = CGNAT_EV_SESSION_CREATE;
		ev->proto = t->proto;
		ev->inside_ip = t->saddr;
		ev->inside_port = t->sport;
		ev->outside_ip = m.outside_ip;
		ev->outside_port = m.outside_port;
		ev->outside_port_last = m.outside_port;
		if (cfg->flags & CGNAT_CF_LOG_DESTINATIONS) {
			ev->remote_ip = t->daddr;
			ev->remote_port = t->dport;
		}
		event_submit(ev);
	}
	return 0;
}

/* Address-dependent filtering remembers every destination a mapping sent
 * to; the first one lives in the mapping itself. */
static __always_inline int peer_touch(struct nat_env *env, const struct cgnat_mapping_key *mk,
				      __u32 remote_ip, __u8 tcp_flags, __u8 slot)
{
	struct cgnat_peer_key pk = { .m = *mk, .remote_ip = remote_ip };
	struct cgnat_peer *peer = bpf_map_lookup_elem(&cgnat_peers, &pk);
	struct cgnat_subscriber *sub;
	struct cgnat_peer fresh = {};

	if (peer) {
		if (peer->last_seen != env->now)
			peer->last_seen = env->now;
		if (slot == CGNAT_P_TCP)
			peer->tcp_state = tcp_next_state(peer->tcp_state, tcp_flags, 1);
		return 0;
	}
	sub = bpf_map_lookup_elem(&cgnat_subscribers, &mk->inside_ip);
	if (sub && sub->sessions >= env->cfg->max_sessions_per_sub) {
		quota_event(sub, slot, mk->inside_ip);
		return CGNAT_STAT_DROP_QUOTA_SESSIONS;
	}
	fresh.last_seen = env->now;
	if (slot == CGNAT_P_TCP)
		fresh.tcp_state = tcp_next_state(CGNAT_TCP_CLOSED, tcp_flags, 1);
	if (bpf_map_update_elem(&cgnat_peers, &pk, &fresh, BPF_NOEXIST) == 0) {
		session_count(sub, 1);
		stat_inc(CGNAT_STAT_PEER_CREATED);
	}
	return 0;
}

static __always_inline int peer_known(const struct cgnat_mapping_key *mk, __u32 remote_ip)
{
	struct cgnat_peer_key pk = { .m = *mk, .remote_ip = remote_ip };

	return bpf_map_lookup_elem(&cgnat_peers, &pk) != 0;
}

static __always_inline __u32 flow_cache_index(const struct cgnat_mapping_key *k)
{
	__u32 h = (k->inside_ip * 0x9e3779b1u) ^ ((__u32)k->inside_port << 8 | k->proto);

	return (h * 0x85ebca6bu) >> 20 & (FLOW_CACHE_SIZE - 1);
}

static __always_inline struct flow_cache_entry *flow_cache_slot(const struct cgnat_mapping_key *k)
{
	__u32 idx = flow_cache_index(k);

	return bpf_map_lookup_elem(&cgnat_flow_cache, &idx);
}

/* The cached translation, when it was checked against the mapping table
 * during this second. A mapping is re-read (and refreshed) at least once a
 * second per CPU, so the cache never outlives a mapping's timeout (at least
 * a second), and cgnat_gc clears the slot on every CPU when it deletes a
 * mapping; TCP packets that may change the state always take the full
 * path, as do packets to a destination the filter has not seen. */
static __always_inline int flow_cache_hit(const struct nat_env *env,
					  const struct cgnat_mapping_key *k,
					  const struct l4_tuple *t, __u8 tcp_flags,
					  struct flow_cache_entry *c, struct nat_target *to)
{
	if (!c || c->checked != env->now || c->key.inside_ip != k->inside_ip ||
	    c->key.inside_port != k->inside_port || c->key.proto != k->proto)
		return 0;
	if (k->proto == CGNAT_P_TCP &&
	    (!c->tcp_established || (tcp_flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))))
		return 0;
	if ((env->cfg->flags & CGNAT_CF_ADDRESS_DEPENDENT_FILTER) && t->daddr != c->remote_ip)
		return 0;
	to->ip = c->outside_ip;
	to->port = c->outside_port;
	return 1;
}

struct flow_cache_clear {
	struct cgnat_mapping_key key;
	__u32 idx;
};

static long flow_cache_clear_cpu(__u32 cpu, void *arg)
{
	struct flow_cache_clear *fc = arg;
	struct flow_cache_entry *c = bpf_map_lookup_percpu_elem(&cgnat_flow_cache, &fc->idx, cpu);

	if (!c)
		return 1; /* past the last possible CPU */
	if (c->key.inside_ip == fc->key.inside_ip && c->key.inside_port == fc->key.inside_port &&
	    c->key.proto == fc->key.proto)
		c->checked = 0;
	return 0;
}

/* A deleted mapping must not be served from any CPU's cache. */
static __always_inline void flow_cache_forget(const struct cgnat_mapping_key *k)
{
	struct flow_cache_clear fc = { .key = *k, .idx = flow_cache_index(k) };

	bpf_loop(1024, flow_cache_clear_cpu, &fc, 0);
}

/* The mapping of a packet leaving a subscriber. */
static __always_inline struct cgnat_mapping_key outbound_key(const struct l4_tuple *t)
{
	struct cgnat_mapping_key key = {
		.inside_ip = t->saddr, .inside_port = t->sport, .proto = t->slot,
	};

	return key;
}

/* An established outbound packet whose translation and route this CPU
 * looked up during this second: its cache entry, or 0 for the full path.
 * Routes are thus followed within a second of a change, as mappings are. */
static __always_inline struct flow_cache_entry *
outbound_cached(const struct nat_env *env, const struct pkt_info *p, __u32 ingress,
		struct nat_target *to)
{
	struct cgnat_mapping_key key = outbound_key(&p->o);
	__u8 flags = p->o.slot == CGNAT_P_TCP ? p->tcp_flags : 0;
	struct flow_cache_entry *c = flow_cache_slot(&key);

	if (!flow_cache_hit(env, &key, &p->o, flags, c, to))
		return 0;
	if (c->route.checked != env->now || c->route.daddr != p->o.daddr ||
	    c->route.ingress != ingress || p->tot_len > c->route.max_len ||
	    c->route.epoch != env->cfg->epoch)
		return 0;
	return c;
}

/* After a full lookup that forwarded the packet: remember the route next
 * to the translation outbound_mapping() just cached. */
static __always_inline void route_remember(const struct nat_env *env, const struct pkt_info *p,
					   __u32 ingress, int slot, const struct bpf_fib_lookup *f)
{
	struct cgnat_mapping_key key = outbound_key(&p->o);
	struct flow_cache_entry *c = flow_cache_slot(&key);
	struct flow_route *r;

	if (!c || slot < 0 || c->checked != env->now || c->key.inside_ip != key.inside_ip ||
	    c->key.inside_port != key.inside_port || c->key.proto != key.proto)
		return;
	r = &c->route;
	if (r->checked == env->now && r->daddr == p->o.daddr && r->ingress == ingress &&
	    r->egress_slot == slot && r->epoch == env->cfg->epoch) {
		if (p->tot_len > r->max_len)
			r->max_len = p->tot_len;
		return;
	}
	r->daddr = p->o.daddr;
	r->ingress = ingress;
	r->egress_slot = (__u8)slot;
	r->max_len = p->tot_len;
	r->epoch = env->cfg->epoch;
	__builtin_memcpy(r->dmac, f->dmac, 6);
	__builtin_memcpy(r->smac, f->smac, 6);
	r->checked = env->now;
}

/* Mapping for a packet leaving a subscriber: found, refreshed (RFC 4787
 * REQ-6) or created. `refresh` is 0 for ICMP errors and RSTs, which must not
 * keep a mapping alive (RFC 7857 REQ-6). */
static __always_inline int outbound_mapping(struct nat_env *env, const struct l4_tuple *t,
					    __u8 tcp_flags, struct nat_target *to)
{
	struct cgnat_mapping_key key = outbound_key(t);
	struct flow_cache_entry *c = flow_cache_slot(&key);
	struct cgnat_subscriber *sub;
	struct cgnat_mapping *m;
	int r;

	if (flow_cache_hit(env, &key, t, tcp_flags, c, to))
		return 0;
	/* A new flow needs its subscriber entry and a port too. Each misses
	 * the cache for a new flow; starting the reads of the mapping's home
	 * slot and of the subscriber's newest block before waiting on any of
	 * them lets the misses overlap. A flow whose mapping exists pays the
	 * subscriber lookup too, but only when its cache entry has expired
	 * (once a second per CPU). */
	session_touch(env->cfg, &key);
	sub = bpf_map_lookup_elem(&cgnat_subscribers, &t->saddr);
	if (sub)
		alloc_touch(newest_block_ref(sub), t->slot, t->sport);
	m = session_find(env->cfg, &key);
	if (!m) {
		r = mapping_create(env, t, tcp_flags, &key, sub, &m);
		if (r)
			return r;
		if (!m)
			return CGNAT_STAT_DROP_SESSION_BUSY;
	} else {
		if (!(tcp_flags & TCPF_RST) && m->last_seen != env->now)
			m->last_seen = env->now;
		if (t->slot == CGNAT_P_TCP) {
			__u8 s = tcp_next_state(m->tcp_state, tcp_flags, 1);

			if (s != m->tcp_state)
				m->tcp_state = s;
		}
	}
	if ((env->cfg->flags & CGNAT_CF_ADDRESS_DEPENDENT_FILTER) && t->daddr != m->remote_ip) {
		r = peer_touch(env, &key, t->daddr, tcp_flags, t->slot);
		if (r)
			return r;
	}
	to->ip = m->outside_ip;
	to->port = m->outside_port;
	if (c) {
		c->key = key;
		c->outside_ip = m->outside_ip;
		c->outside_port = m->outside_port;
		c->tcp_established = m->tcp_state == CGNAT_TCP_ESTABLISHED;
		c->remote_ip = m->remote_ip;
		c->checked = env->now;
	}
	return 0;
}

/* Resolve a public (address, port) of one protocol to its mapping.
 * The port slot names the inside port, the block word the inside address;
 * the mapping itself must agree, so a stale slot can never misdeliver. */
static __always_inline struct cgnat_mapping *
reverse_lookup(const struct cgnat_config *cfg, long ip_index, __u32 outside_ip,
	       __u16 outside_port, __u8 slot_proto, struct cgnat_mapping_key *key)
{
	struct cgnat_geometry g = geometry(cfg);
	__u32 port = bpf_ntohs(outside_port), idx, b, slot;
	__u32 *sv;
	__u64 *w;
	long long block;
	struct cgnat_mapping *m;

	if (ip_index < 0)
		return 0;
	idx = cgnat_port_slot((__u32)ip_index, slot_proto, port);
	sv = port_slot_ptr(idx);
	if (!sv)
		return 0;
	slot = *sv;
	if (CGNAT_SLOT_STATE(slot) != CGNAT_SLOT_USED)
		return 0;
	block = cgnat_block_of(&g, (__u32)ip_index, port);
	if (block < 0)
		return 0;
	b = (__u32)block;
	w = bpf_map_lookup_elem(&cgnat_blocks, &b);
	if (!w || !CGNAT_BLOCK_OWNER(*w))
		return 0;
	key->inside_ip = CGNAT_BLOCK_OWNER(*w);
	key->inside_port = CGNAT_SLOT_PORT(slot);
	key->proto = slot_proto;
	key->pad = 0;
	m = session_find(cfg, key);
	if (!m || m->outside_ip != outside_ip || m->outside_port != outside_port)
		return 0;
	return m;
}

/* Mapping for a packet arriving at public address t->daddr (whose pool
 * index the caller put in env->dst_pool), with filtering
 * (RFC 4787 REQ-8) and the inbound half of the TCP state machine. */
static __always_inline int inbound_mapping(struct nat_env *env, const struct l4_tuple *t,
					   __u8 tcp_flags, int refresh, struct nat_target *to)
{
	struct cgnat_mapping_key key;
	struct cgnat_mapping *m =
		reverse_lookup(env->cfg, env->dst_pool, t->daddr, t->dport, t->slot, &key);

	if (!m)
		return CGNAT_STAT_DROP_NO_MAPPING;
	if ((env->cfg->flags & CGNAT_CF_ADDRESS_DEPENDENT_FILTER) && t->saddr != m->remote_ip &&
	    !peer_known(&key, t->saddr))
		return CGNAT_STAT_DROP_FILTERED;
	if (refresh && m->last_seen != env->now)
		m->last_seen = env->now;
	if (t->slot == CGNAT_P_TCP) {
		__u8 s = tcp_next_state(m->tcp_state, tcp_flags, 0);

		if (s != m->tcp_state)
			m->tcp_state = s;
	}
	to->ip = key.inside_ip;
	to->port = key.inside_port;
	return 0;
}

/* ---- rewriting ---- */

/* Replace the source (src=1) or destination address and port of the outer
 * header, fixing the IPv4 checksum and the transport checksum (which covers
 * the address through the pseudo-header; ICMP has none). */
static __always_inline int rewrite_outer(const struct pkt_ctx *x, const struct pkt_info *p,
					 int src, const struct nat_target *to)
{
	const struct l4_tuple *t = &p->o;
	__u32 old_ip = src ? t->saddr : t->daddr;
	__u16 old_port = src ? t->sport : t->dport;
	int udp = t->proto == IPPROTO_UDP_;

	if (pkt_csum_update(x, t->l3_off + 10, old_ip, to->ip, 4, CSUM_PLAIN, 0))
		return -1;
	if (pkt_store32(x, t->l3_off + (src ? 12 : 16), to->ip))
		return -1;
	if (p->frag == FRAG_LATER)
		return 0; /* no transport header in this fragment */
	if (t->proto == IPPROTO_TCP_ || udp) {
		if (pkt_csum_update(x, t->l4_csum_off, old_ip, to->ip, 4, CSUM_L4_PSEUDO, udp))
			return -1;
		if (old_port == to->port)
			return 0;
		if (pkt_csum_update(x, t->l4_csum_off, old_port, to->port, 2, CSUM_L4, udp))
			return -1;
		return pkt_store16(x, t->l4_off + (src ? 0 : 2), to->port);
	}
	if (old_port == to->port)
		return 0;
	/* ICMP echo: the identifier is the "port". */
	if (pkt_csum_update(x, t->l4_csum_off, old_port, to->port, 2, CSUM_PLAIN, 0))
		return -1;
	return pkt_store16(x, t->l4_off + 4, to->port);
}

/* Rewrite a 16-bit checksum field of the embedded packet and account for
 * the change in the outer ICMP checksum. */
static __always_inline int embedded_csum_set(const struct pkt_ctx *x, __u32 icmp_csum_off,
					     __u32 off, __u16 old, __u16 new_val)
{
	if (pkt_csum_update(x, icmp_csum_off, old, new_val, 2, CSUM_PLAIN, 0))
		return -1;
	return pkt_store16(x, off, new_val);
}

/* Translate the packet quoted inside an ICMP error (RFC 5508 section 4.2):
 * its source (src=1) or destination address and port, its IPv4 and
 * transport checksums when present, and the outer ICMP checksum that
 * covers all of them. */
static __always_inline int rewrite_embedded(const struct pkt_ctx *x, const struct pkt_info *p,
					    int src, const struct nat_target *to)
{
	const struct l4_tuple *t = &p->in;
	__u32 icmp_csum = p->o.l4_csum_off;
	__u32 old_ip = src ? t->saddr : t->daddr;
	__u16 old_port = src ? t->sport : t->dport;
	__u16 c_old, c_new;

	/* embedded IPv4 header checksum and address */
	if (pkt_load16(x, t->l3_off + 10, &c_old))
		return -1;
	c_new = cgnat_csum_replace32(c_old, old_ip, to->ip);
	if (embedded_csum_set(x, icmp_csum, t->l3_off + 10, c_old, c_new))
		return -1;
	if (pkt_csum_update(x, icmp_csum, old_ip, to->ip, 4, CSUM_PLAIN, 0))
		return -1;
	if (pkt_store32(x, t->l3_off + (src ? 12 : 16), to->ip))
		return -1;

	if (t->proto == IPPROTO_TCP_ || t->proto == IPPROTO_UDP_) {
		int udp = t->proto == IPPROTO_UDP_;

		if (t->l4_csum_off) {
			if (pkt_load16(x, t->l4_csum_off, &c_old))
				return -1;
			if (!(udp && c_old == 0)) {
				c_new = cgnat_csum_replace32(c_old, old_ip, to->ip);
				c_new = cgnat_csum_replace16(c_new, old_port, to->port);
				if (udp && c_new == 0)
					c_new = 0xffff;
				if (embedded_csum_set(x, icmp_csum, t->l4_csum_off, c_old, c_new))
					return -1;
			}
		}
		if (pkt_csum_update(x, icmp_csum, old_port, to->port, 2, CSUM_PLAIN, 0))
			return -1;
		return pkt_store16(x, t->l4_off + (src ? 0 : 2), to->port);
	}
	/* embedded ICMP echo: identifier and its checksum */
	if (pkt_load16(x, t->l4_csum_off, &c_old))
		return -1;
	c_new = cgnat_csum_replace16(c_old, old_port, to->port);
	if (embedded_csum_set(x, icmp_csum, t->l4_csum_off, c_old, c_new))
		return -1;
	if (pkt_csum_update(x, icmp_csum, old_port, to->port, 2, CSUM_PLAIN, 0))
		return -1;
	return pkt_store16(x, t->l4_off + 4, to->port);
}

/* ---- fragments (RFC 4787 REQ-14, first fragment first) ----
 * Only the first fragment carries the transport header, so it decides the
 * translation; the address it got is remembered by (source, destination,
 * IPv4 id, protocol) as received, and later fragments get the same. A
 * later fragment arriving before its first one cannot be translated and
 * is dropped and counted. */

static __always_inline struct cgnat_frag_key frag_key(const struct pkt_info *p, __u8 dir)
{
	struct cgnat_frag_key k = {
		.saddr = p->o.saddr, .daddr = p->o.daddr, .id = p->ip_id,
		.proto = p->o.proto, .dir = dir,
	};
	return k;
}

static __always_inline void frag_remember(const struct pkt_info *p, __u8 dir, __u32 addr)
{
	struct cgnat_frag_key k;
	struct cgnat_frag v = { .addr = addr };

	if (p->frag != FRAG_FIRST)
		return;
	k = frag_key(p, dir);
	v.seen_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&cgnat_frags, &k, &v, BPF_ANY);
}

/* Later fragment: rewrite the address its first fragment got. */
static __always_inline int nat_later_fragment(const struct pkt_ctx *x, const struct pkt_info *p,
					      __u8 dir)
{
	struct cgnat_frag_key k = frag_key(p, dir);
	struct cgnat_frag *f = bpf_map_lookup_elem(&cgnat_frags, &k);
	struct nat_target to = {};
	int src = dir == CGNAT_FRAG_OUT;

	if (!f || bpf_ktime_get_ns() - f->seen_ns > CGNAT_FRAG_TIMEOUT_NS)
		return CGNAT_STAT_DROP_FRAGMENT;
	to.ip = f->addr;
	to.port = src ? p->o.sport : p->o.dport;
	if (rewrite_outer(x, p, src, &to))
		return CGNAT_STAT_DROP_MALFORMED;
	stat_inc(CGNAT_STAT_XLATE_FRAGMENT);
	return 0;
}

/* ---- whole translations ---- */

/* Outbound packet (not an ICMP error): source becomes the mapping's public
 * endpoint. */
static __always_inline int nat_outbound(const struct pkt_ctx *x, struct nat_env *env,
					const struct pkt_info *p, struct nat_target *to)
{
	__u8 flags = p->o.slot == CGNAT_P_TCP ? p->tcp_flags : 0;
	int r = outbound_mapping(env, &p->o, flags, to);

	if (r)
		return r;
	if (rewrite_outer(x, p, 1, to))
		return CGNAT_STAT_DROP_MALFORMED;
	frag_remember(p, CGNAT_FRAG_OUT, to->ip);
	return 0;
}

/* Outbound ICMP error from a subscriber about a packet it received: the
 * quoted packet's destination is the subscriber's inside endpoint. */
static __always_inline int nat_outbound_icmp_error(const struct pkt_ctx *x, struct nat_env *env,
						   const struct pkt_info *p,
						   struct nat_target *outer_to)
{
	struct cgnat_mapping_key key = {
		.inside_ip = p->in.daddr, .inside_port = p->in.dport, .proto = p->in.slot,
	};
	struct cgnat_mapping *m;
	struct nat_target inner_to;

	if (!subscriber_prefix(p->o.saddr))
		return CGNAT_STAT_DROP_SPOOFED;
	m = session_find(env->cfg, &key);
	if (!m)
		return CGNAT_STAT_DROP_ICMP_NO_MAPPING;
	inner_to.ip = m->outside_ip;
	inner_to.port = m->outside_port;
	outer_to->ip = m->outside_ip;
	outer_to->port = p->o.sport;
	/* ICMP errors never refresh or end a mapping (RFC 4787 REQ-12). */
	if (rewrite_embedded(x, p, 0, &inner_to) || rewrite_outer(x, p, 1, outer_to))
		return CGNAT_STAT_DROP_MALFORMED;
	return 0;
}

/* Inbound packet to a public address: destination becomes the inside
 * endpoint. */
static __always_inline int nat_inbound_lookup(struct nat_env *env, const struct pkt_info *p,
					      struct nat_target *to)
{
	__u8 flags = p->o.slot == CGNAT_P_TCP ? p->tcp_flags : 0;

	return inbound_mapping(env, &p->o, flags, 1, to);
}

/* Inbound ICMP error about a packet we translated: the quoted packet's
 * source is our public endpoint. */
static __always_inline int nat_inbound_icmp_error_lookup(struct nat_env *env,
							 const struct pkt_info *p,
							 struct nat_target *inner_to)
{
	struct cgnat_mapping_key key;
	struct cgnat_mapping *m =
		reverse_lookup(env->cfg, pool_index_of(env->cfg, p->in.saddr), p->in.saddr,
			       p->in.sport, p->in.slot, &key);

	if (!m)
		return CGNAT_STAT_DROP_ICMP_NO_MAPPING;
	inner_to->ip = key.inside_ip;
	inner_to->port = key.inside_port;
	return 0;
}

static __always_inline int nat_inbound_icmp_error_apply(const struct pkt_ctx *x,
							const struct pkt_info *p,
							const struct nat_target *inner_to)
{
	struct nat_target outer_to = { .ip = inner_to->ip, .port = p->o.dport };

	if (rewrite_embedded(x, p, 1, inner_to) || rewrite_outer(x, p, 0, &outer_to))
		return CGNAT_STAT_DROP_MALFORMED;
	return 0;
}

#endif
