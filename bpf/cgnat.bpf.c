// SPDX-License-Identifier: GPL-2.0
/* cgnat dataplane entry points: XDP on inside and outside interfaces, tc
 * egress on outside interfaces, and the expiry program the agent runs.
 * The translation itself lives in nat.h. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fwd.h"
#include "icmp_reply.h"
#include "nat.h"

#define TC_ACT_OK_ 0
#define TC_ACT_SHOT_ 2

static __always_inline int xdp_drop(int reason)
{
	stat_inc(reason);
	return XDP_DROP;
}

static __always_inline int xdp_pass(int reason)
{
	stat_inc(reason);
	return XDP_PASS;
}

/* A new flow that cannot get a mapping: drop, and tell the subscriber. */
static __always_inline int xdp_refuse(struct xdp_md *ctx, const struct pkt_info *p,
				      const struct cgnat_config *cfg, int reason)
{
	stat_inc(reason);
	if (wants_prohibited_reply(reason) &&
	    icmp_prohibited_reply(ctx, p, cfg->icmp_error_rate) == XDP_TX)
		return XDP_TX;
	return XDP_DROP;
}

/* Common start of both XDP programs: count, parse, find the config.
 * Returns the parse result, or -1 with *verdict set when the packet's fate
 * is already decided. */
static __always_inline int xdp_start(struct pkt_ctx *x, struct pkt_info *p, struct nat_env *env,
				     enum cgnat_stat rx, int *verdict)
{
	int pr;

	stat_inc(rx);
	pr = parse_packet(x, p);
	if (pr == PARSE_NOT_IPV4 || pr == PARSE_MALFORMED) {
		*verdict = pr == PARSE_NOT_IPV4 ? XDP_PASS : xdp_drop(CGNAT_STAT_DROP_MALFORMED);
		return -1;
	}
	env->cfg = config_get();
	if (!env->cfg) {
		*verdict = XDP_PASS;
		return -1;
	}
	env->now = now_seconds();
	return pr;
}

static __always_inline int ready(const struct cgnat_config *cfg)
{
	return cfg->flags & CGNAT_CF_READY;
}

/* Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8): a subscriber talks to
 * another subscriber's public endpoint. Both ends are translated, so the
 * receiver sees the sender's public address, and the packet turns around
 * here instead of leaving. */
static __always_inline int xdp_hairpin(struct xdp_md *ctx, struct pkt_ctx *x,
				       struct nat_env *env, struct pkt_info *p,
				       struct bpf_fib_lookup *f)
{
	__u8 flags = p->o.slot == CGNAT_P_TCP ? p->tcp_flags : 0;
	struct nat_target src_to, dst_to;
	struct l4_tuple seen;
	int r, rc;

	r = outbound_mapping(env, &p->o, flags, &src_to);
	if (r)
		return xdp_refuse(ctx, p, env->cfg, r);
	seen = p->o;
	seen.saddr = src_to.ip;
	seen.sport = src_to.port;
	r = inbound_mapping(env, &seen, flags, 1, &dst_to);
	if (r)
		return xdp_drop(r);
	rc = fib_route(ctx, p, src_to.ip, dst_to.ip, f);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return xdp_pass(CGNAT_STAT_PASS_FIB); /* tc and the outside route finish it */
	if (rewrite_outer(x, p, 1, &src_to) || rewrite_outer(x, p, 0, &dst_to))
		return xdp_drop(CGNAT_STAT_DROP_MALFORMED);
	stat_inc(CGNAT_STAT_XLATE_HAIRPIN);
	return forward_to(ctx, p, f, env->cfg);
}

SEC("xdp")
int cgnat_xdp_inside(struct xdp_md *ctx)
{
	struct pkt_ctx x = { ctx, 0 };
	struct pkt_info p = {};
	struct bpf_fib_lookup f;
	struct nat_env env;
	struct nat_target to;
	int pr, rc, r, hairpin = 0, verdict;

	pr = xdp_start(&x, &p, &env, CGNAT_STAT_RX_INSIDE, &verdict);
	if (pr < 0)
		return verdict;

	env.dst_pool = -1;
	if (pr == PARSE_OK && !p.icmp_error && (env.cfg->flags & CGNAT_CF_HAIRPIN)) {
		env.dst_pool = pool_index_of(env.cfg, p.o.daddr);
		hairpin = env.dst_pool >= 0;
	}
	/* Busy flows: translation and route both cached this second. */
	if (pr == PARSE_OK && !hairpin && !p.icmp_error && p.frag == FRAG_NONE && p.ttl > 1 &&
	    ready(env.cfg)) {
		struct flow_cache_entry *c = outbound_cached(&env, &p, ctx->ingress_ifindex, &to);

		if (c) {
			if (rewrite_outer(&x, &p, 1, &to))
				return xdp_drop(CGNAT_STAT_DROP_MALFORMED);
			stat_inc(CGNAT_STAT_XLATE_OUT);
			return forward_via(ctx, &p, c->route.egress_slot, c->route.dmac,
					   c->route.smac);
		}
	}
	rc = fib_route(ctx, &p, p.o.saddr, p.o.daddr, &f);
	if (!hairpin) {
		/* For this host, or routed back inside: not ours to translate. */
		if (rc == BPF_FIB_LKUP_RET_NOT_FWDED ||
		    (rc == BPF_FIB_LKUP_RET_SUCCESS && iface_role(env.cfg, f.ifindex) != CGNAT_IF_OUTSIDE))
			return xdp_pass(CGNAT_STAT_PASS_NOT_NAT);
		/* No route: the kernel answers with the right ICMP error. */
		if (rc == BPF_FIB_LKUP_RET_BLACKHOLE || rc == BPF_FIB_LKUP_RET_UNREACHABLE ||
		    rc == BPF_FIB_LKUP_RET_PROHIBIT)
			return xdp_pass(CGNAT_STAT_PASS_NOT_NAT);
	}
	if (pr == PARSE_UNSUPPORTED)
		return xdp_drop(subscriber_prefix(p.o.saddr) ? CGNAT_STAT_DROP_UNSUPPORTED
							      : CGNAT_STAT_DROP_SPOOFED);
	if (!ready(env.cfg))
		return xdp_drop(CGNAT_STAT_DROP_NOT_READY);
	if (p.ttl <= 1)
		return xdp_pass(CGNAT_STAT_PASS_TTL); /* the kernel sends Time Exceeded */
	if (hairpin && p.frag == FRAG_NONE)
		return xdp_hairpin(ctx, &x, &env, &p, &f);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		/* No neighbour yet, or too big for the egress MTU: the kernel
		 * resolves or answers, and tc egress translates what it sends. */
		return xdp_pass(CGNAT_STAT_PASS_FIB);

	if (p.frag == FRAG_LATER) {
		r = nat_later_fragment(&x, &p, CGNAT_FRAG_OUT);
		if (r)
			return xdp_drop(r);
	} else if (p.icmp_error) {
		r = nat_outbound_icmp_error(&x, &env, &p, &to);
		if (r)
			return xdp_drop(r);
		stat_inc(CGNAT_STAT_XLATE_ICMP_ERROR);
	} else {
		r = nat_outbound(&x, &env, &p, &to);
		if (r)
			return xdp_refuse(ctx, &p, env.cfg, r);
		if (p.frag == FRAG_NONE)
			route_remember(&env, &p, ctx->ingress_ifindex, iface_slot(env.cfg, f.ifindex),
				       &f);
	}
	stat_inc(CGNAT_STAT_XLATE_OUT);
	return forward_to(ctx, &p, &f, env.cfg);
}

SEC("xdp")
int cgnat_xdp_outside(struct xdp_md *ctx)
{
	struct pkt_ctx x = { ctx, 0 };
	struct pkt_info p = {};
	struct bpf_fib_lookup f;
	struct nat_env env;
	struct nat_target to;
	int pr, rc, r, verdict;

	pr = xdp_start(&x, &p, &env, CGNAT_STAT_RX_OUTSIDE, &verdict);
	if (pr < 0)
		return verdict;
	env.dst_pool = pool_index_of(env.cfg, p.o.daddr);
	if (env.dst_pool < 0)
		return xdp_pass(CGNAT_STAT_PASS_NOT_NAT); /* for this host */
	if (!ready(env.cfg))
		return xdp_drop(CGNAT_STAT_DROP_NOT_READY);
	if (pr == PARSE_UNSUPPORTED)
		return xdp_drop(CGNAT_STAT_DROP_UNSUPPORTED);
	/* Untranslated, so the kernel's Time Exceeded quotes the public address. */
	if (p.ttl <= 1)
		return xdp_pass(CGNAT_STAT_PASS_TTL);

	if (p.frag == FRAG_LATER) {
		struct cgnat_frag_key k = frag_key(&p, CGNAT_FRAG_IN);
		struct cgnat_frag *fr = bpf_map_lookup_elem(&cgnat_frags, &k);

		if (!fr)
			return xdp_drop(CGNAT_STAT_DROP_FRAGMENT);
		to.ip = fr->addr;
		r = 0;
	} else if (p.icmp_error) {
		r = nat_inbound_icmp_error_lookup(&env, &p, &to);
	} else {
		r = nat_inbound_lookup(&env, &p, &to);
	}
	if (r)
		return xdp_drop(r);
	rc = fib_route(ctx, &p, p.o.saddr, to.ip, &f);
	if (p.frag == FRAG_LATER) {
		r = nat_later_fragment(&x, &p, CGNAT_FRAG_IN);
	} else if (p.icmp_error) {
		r = nat_inbound_icmp_error_apply(&x, &p, &to);
		stat_inc(CGNAT_STAT_XLATE_ICMP_ERROR);
	} else {
		r = rewrite_outer(&x, &p, 0, &to) ? CGNAT_STAT_DROP_MALFORMED : 0;
		frag_remember(&p, CGNAT_FRAG_IN, to.ip);
	}
	if (r)
		return xdp_drop(r);
	stat_inc(CGNAT_STAT_XLATE_IN);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS && iface_role(env.cfg, f.ifindex) == CGNAT_IF_INSIDE)
		return forward_to(ctx, &p, &f, env.cfg);
	/* Translated already; the kernel resolves the neighbour and forwards. */
	return xdp_pass(CGNAT_STAT_PASS_FIB);
}

/* tc egress on outside interfaces: packets the kernel forwarded (XDP passed
 * them up: no neighbour yet, MTU, or XDP not attached) get the same
 * translation, so nothing from a subscriber leaves untranslated. */
SEC("tc")
int cgnat_tc_egress(struct __sk_buff *skb)
{
	struct pkt_ctx x = { skb, 1 };
	struct pkt_info p = {};
	struct nat_env env;
	struct nat_target to;
	int pr, r, from_inside, subscriber;

	bpf_skb_pull_data(skb, skb->len < 256 ? skb->len : 256);
	pr = parse_packet(&x, &p);
	if (pr == PARSE_NOT_IPV4)
		return TC_ACT_OK_;
	env.cfg = config_get();
	if (!env.cfg)
		return TC_ACT_OK_;
	from_inside = skb->ingress_ifindex &&
		      iface_role(env.cfg, skb->ingress_ifindex) == CGNAT_IF_INSIDE;
	subscriber = p.o.saddr && subscriber_prefix(p.o.saddr);
	/* The kernel forwards IPv4 with a broken transport header; from a
	 * subscriber it cannot be translated, so it must not leave at all. */
	if (pr == PARSE_MALFORMED) {
		if (!subscriber && !from_inside)
			return TC_ACT_OK_;
		stat_inc(CGNAT_STAT_DROP_MALFORMED);
		return TC_ACT_SHOT_;
	}
	if (!subscriber) {
		/* Forwarded from inside with a foreign source: spoofed. */
		if (from_inside) {
			stat_inc(CGNAT_STAT_DROP_SPOOFED);
			return TC_ACT_SHOT_;
		}
		return TC_ACT_OK_;
	}
	env.now = now_seconds();
	env.dst_pool = -1; /* tc translates outbound only */
	if (!ready(env.cfg))
		r = CGNAT_STAT_DROP_NOT_READY;
	else if (pr == PARSE_UNSUPPORTED)
		r = CGNAT_STAT_DROP_UNSUPPORTED;
	else if (p.frag == FRAG_LATER)
		r = nat_later_fragment(&x, &p, CGNAT_FRAG_OUT);
	else if (p.icmp_error)
		r = nat_outbound_icmp_error(&x, &env, &p, &to);
	else
		r = nat_outbound(&x, &env, &p, &to);
	if (r) {
		stat_inc(r);
		return TC_ACT_SHOT_;
	}
	stat_inc(CGNAT_STAT_TC_XLATE_OUT);
	return TC_ACT_OK_;
}

/* ---- expiry, run by the agent through BPF_PROG_TEST_RUN ---- */

struct gc_loop {
	const struct cgnat_config *cfg;
	__u32 now;
	__u32 deleted;
};

static __always_inline int expired(const struct gc_loop *l, __u32 last_seen, __u32 timeout)
{
	return (__s32)(l->now - last_seen) >= (__s32)timeout;
}

static __always_inline void gc_mapping(struct gc_loop *l, struct cgnat_gc_entry *e)
{
	struct cgnat_mapping_key key = e->key.m;
	long at = session_locate(cgnat_session_key_bits(&key), l->cfg->session_mask);
	struct cgnat_session_slot *s = at < 0 ? 0 : session_slot((__u32)at);
	struct cgnat_mapping *m = s ? &s->m : 0;
	struct cgnat_subscriber *sub;
	__u32 idx, *slot;
	long ip_index;

	if (!m) {
		e->result = CGNAT_GC_GONE;
		return;
	}
	if (!(e->flags & CGNAT_GC_FORCE) &&
	    !expired(l, m->last_seen, cgnat_mapping_timeout(l->cfg, key.proto, m->tcp_state))) {
		e->result = CGNAT_GC_KEPT;
		return;
	}
	e->mapping = *m;
	if (session_delete(l->cfg, &key, (__u32)at)) {
		e->result = CGNAT_GC_GONE;
		return;
	}
	session_unreserve();
	flow_cache_forget(&key);
	/* The port is held, not freed: RFC 6888 REQ-8 wants 120 s before reuse. */
	ip_index = pool_index_of(l->cfg, e->mapping.outside_ip);
	if (ip_index >= 0) {
		idx = cgnat_port_slot((__u32)ip_index, key.proto, bpf_ntohs(e->mapping.outside_port));
		slot = port_slot_ptr(idx);
		if (slot)
			__sync_val_compare_and_swap(slot,
				CGNAT_SLOT_MAKE(key.inside_port, CGNAT_SLOT_USED),
				CGNAT_SLOT_MAKE(key.inside_port, CGNAT_SLOT_HELD));
	}
	sub = bpf_map_lookup_elem(&cgnat_subscribers, &key.inside_ip);
	session_count(sub, -1);
	stat_inc(CGNAT_STAT_MAPPING_EXPIRED);
	e->result = CGNAT_GC_DELETED;
	l->deleted++;
}

static __always_inline void gc_peer(struct gc_loop *l, struct cgnat_gc_entry *e)
{
	struct cgnat_peer_key key = e->key;
	struct cgnat_peer *peer = bpf_map_lookup_elem(&cgnat_peers, &key);
	struct cgnat_mapping *m = session_find(l->cfg, &key.m);
	struct cgnat_subscriber *sub;

	if (!peer) {
		e->result = CGNAT_GC_GONE;
		return;
	}
	if (!(e->flags & CGNAT_GC_FORCE) && m &&
	    !expired(l, peer->last_seen, cgnat_mapping_timeout(l->cfg, key.m.proto, peer->tcp_state))) {
		e->result = CGNAT_GC_KEPT;
		return;
	}
	if (bpf_map_delete_elem(&cgnat_peers, &key)) {
		e->result = CGNAT_GC_GONE;
		return;
	}
	sub = bpf_map_lookup_elem(&cgnat_subscribers, &key.m.inside_ip);
	session_count(sub, -1);
	stat_inc(CGNAT_STAT_PEER_EXPIRED);
	e->result = CGNAT_GC_DELETED;
	l->deleted++;
}

struct gc_sub_scan {
	struct cgnat_subscriber *sub;
	__u32 ip;
	__u32 det;
	__u32 held;
};

/* Forget blocks the agent released; count the rest. */
static long gc_sub_step(__u32 i, void *arg)
{
	struct gc_sub_scan *s = arg;
	__u32 ref, b;
	__u64 *w;

	if (i >= CGNAT_MAX_BLOCKS_PER_SUB)
		return 1;
	ref = s->sub->blocks[i];
	if (!ref)
		return 0;
	b = ref - 1;
	w = bpf_map_lookup_elem(&cgnat_blocks, &b);
	if (!s->det && (!w || CGNAT_BLOCK_OWNER(*w) != s->ip)) {
		__sync_val_compare_and_swap(&s->sub->blocks[i], ref, 0);
		return 0;
	}
	s->held++;
	return 0;
}

static __always_inline void gc_subscriber(struct gc_loop *l, struct cgnat_gc_entry *e)
{
	struct gc_sub_scan s = { .ip = e->key.m.inside_ip };

	s.sub = bpf_map_lookup_elem(&cgnat_subscribers, &s.ip);
	if (!s.sub) {
		e->result = CGNAT_GC_GONE;
		return;
	}
	s.det = l->cfg->mode == CGNAT_MODE_DETERMINISTIC;
	bpf_loop(sub_slots(s.sub), gc_sub_step, &s, 0);
	if (s.held || s.sub->sessions || s.det) {
		e->result = CGNAT_GC_KEPT;
		return;
	}
	e->result = bpf_map_delete_elem(&cgnat_subscribers, &s.ip) ? CGNAT_GC_GONE
								    : CGNAT_GC_DELETED;
	if (e->result == CGNAT_GC_DELETED)
		l->deleted++;
}

static long gc_step(__u32 i, void *arg)
{
	struct gc_loop *l = arg;
	struct cgnat_gc_entry *e = bpf_map_lookup_elem(&cgnat_gc_batch, &i);

	if (!e)
		return 1;
	if (e->op == CGNAT_GC_MAPPING)
		gc_mapping(l, e);
	else if (e->op == CGNAT_GC_PEER)
		gc_peer(l, e);
	else if (e->op == CGNAT_GC_SUBSCRIBER)
		gc_subscriber(l, e);
	return 0;
}

SEC("syscall")
int cgnat_gc(struct cgnat_gc_args *args)
{
	struct gc_loop l = {};
	__u32 n = args->count;

	l.cfg = config_get();
	if (!l.cfg)
		return -1;
	/* Same clock as the fast path's coarse reads (syscall programs may not
	 * use the coarse helper); they differ by less than a tick. */
	l.now = cgnat_ns_to_sec(bpf_ktime_get_ns());
	if (n > CGNAT_GC_BATCH)
		n = CGNAT_GC_BATCH;
	bpf_loop(n, gc_step, &l, 0);
	args->deleted = l.deleted;
	args->now = l.now;
	return 0;
}

/* ---- first touch of the large tables, run by the agent at start ---- */

#define PAGE_BYTES 4096

static long warm_session_step(__u32 i, void *arg)
{
	struct cgnat_session_slot *s = session_slot(i * (PAGE_BYTES / sizeof(*s)));

	if (!s)
		return 1;
	/* A write that changes nothing: safe on live slots too. */
	__sync_fetch_and_add(&s->word, 0);
	return 0;
}

static long warm_port_step(__u32 i, void *arg)
{
	__u32 group = i * (PAGE_BYTES / sizeof(struct cgnat_port_group));
	struct cgnat_port_group *g = bpf_map_lookup_elem(&cgnat_ports, &group);

	if (!g)
		return 1;
	__sync_fetch_and_add(&g->slot[0], 0);
	return 0;
}

/* Kernel pages of BPF maps are mapped on first use; on virtualised hosts
 * that first use can cost microseconds (the hypervisor fills in its page
 * tables), which the first new flows on each page would pay. */
SEC("syscall")
int cgnat_warm(void *ctx)
{
	bpf_loop(1 << 23, warm_session_step, 0, 0);
	bpf_loop(1 << 23, warm_port_step, 0, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
