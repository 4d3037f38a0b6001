/* XDP forwarding: route lookup in the kernel FIB, TTL, MAC rewrite and
 * redirect. Whatever the FIB cannot finish (no neighbour entry yet, packet
 * for this host, needs fragmenting) goes to the kernel with XDP_PASS. */
#ifndef CGNAT_BPF_FWD_H
#define CGNAT_BPF_FWD_H

#include "maps.h"
#include "parse.h"

#define AF_INET_ 2

static __always_inline int fib_route(struct xdp_md *ctx, const struct pkt_info *p,
				     __u32 saddr, __u32 daddr, struct bpf_fib_lookup *f)
{
	struct iphdr *ip = PKT_PTR(&((struct pkt_ctx){ ctx, 0 }), p->o.l3_off, sizeof(*ip));

	__builtin_memset(f, 0, sizeof(*f));
	f->family = AF_INET_;
	f->tos = ip ? ip->tos : 0;
	f->l4_protocol = p->o.proto;
	f->tot_len = p->tot_len;
	f->ipv4_src = saddr;
	f->ipv4_dst = daddr;
	f->ifindex = ctx->ingress_ifindex;
	return bpf_fib_lookup(ctx, f, sizeof(*f), 0);
}

/* Slot of an interface in the config's short lists (no hash lookup on
 * the per-packet path): inside i -> i, outside i -> CGNAT_MAX_IFACES + i,
 * -1 for any other interface. Also the key of cgnat_tx. */
static __always_inline int iface_slot(const struct cgnat_config *cfg, __u32 ifindex)
{
	int i;

	for (i = 0; i < CGNAT_MAX_IFACES; i++) {
		if (cfg->outside_if[i] == ifindex)
			return CGNAT_MAX_IFACES + i;
		if (cfg->inside_if[i] == ifindex)
			return i;
	}
	return -1;
}

static __always_inline __u32 iface_role(const struct cgnat_config *cfg, __u32 ifindex)
{
	int slot = iface_slot(cfg, ifindex);

	return slot < 0 ? 0 : slot < CGNAT_MAX_IFACES ? CGNAT_IF_INSIDE : CGNAT_IF_OUTSIDE;
}

/* Decrement TTL (RFC 1812), set the MACs and redirect to the interface in
 * slot (iface_slot(), the cgnat_tx key). */
static __always_inline int forward_via(struct xdp_md *ctx, const struct pkt_info *p, int slot,
				       const __u8 *dmac, const __u8 *smac)
{
	struct pkt_ctx x = { ctx, 0 };
	struct ethhdr *eth = PKT_PTR(&x, 0, sizeof(*eth));
	struct iphdr *ip = PKT_PTR(&x, p->o.l3_off, sizeof(*ip));
	__u16 old_word, new_word;

	if (!eth || !ip)
		return XDP_DROP;
	if (slot < 0)
		return XDP_PASS; /* the kernel forwards it (the callers checked roles) */
	old_word = *(__u16 *)&ip->ttl;
	ip->ttl--;
	new_word = *(__u16 *)&ip->ttl;
	ip->check = cgnat_csum_replace16(ip->check, old_word, new_word);
	__builtin_memcpy(eth->h_dest, dmac, 6);
	__builtin_memcpy(eth->h_source, smac, 6);
	stat_inc(CGNAT_STAT_REDIRECT);
	return bpf_redirect_map(&cgnat_tx, (__u32)slot, 0);
}

/* Forward along a FIB result. */
static __always_inline int forward_to(struct xdp_md *ctx, const struct pkt_info *p,
				      const struct bpf_fib_lookup *f,
				      const struct cgnat_config *cfg)
{
	return forward_via(ctx, p, iface_slot(cfg, f->ifindex), f->dmac, f->smac);
}

#endif
