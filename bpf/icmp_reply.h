/* ICMP Destination Unreachable, code 13 (communication administratively
 * prohibited), sent back to a subscriber whose new flow cannot get a
 * mapping: quota, exhausted pool, full tables (RFC 5508 section 6, RFC 6888
 * REQ-11). The frame is turned around in place and sent with XDP_TX, so
 * the subscriber's application fails fast instead of retrying blindly.
 * Rate-limited per CPU by limits.icmp_error_rate. */
#ifndef CGNAT_BPF_ICMP_REPLY_H
#define CGNAT_BPF_ICMP_REPLY_H

#include "maps.h"
#include "parse.h"

#define ICMP_CODE_ADMIN_PROHIBITED 13
#define REPLY_HDRS (sizeof(struct iphdr) + 8) /* new IPv4 + ICMP header */
#define QUOTE_L4 8                            /* RFC 792: 64 bits of the datagram */

static __always_inline int icmp_token(__u32 rate)
{
	__u32 zero = 0;
	struct icmp_bucket *b = bpf_map_lookup_elem(&cgnat_icmp_bucket, &zero);
	__u64 now, add;

	if (!b || rate == 0)
		return 0;
	now = bpf_ktime_get_ns();
	/* Tokens in thousandths so low rates still refill smoothly; burst = 1 s. */
	add = (now - b->last_ns) / 1000 * rate / 1000;
	b->last_ns = now;
	b->tokens_milli += add;
	if (b->tokens_milli > (__u64)rate * 1000)
		b->tokens_milli = (__u64)rate * 1000;
	if (b->tokens_milli < 1000)
		return 0;
	b->tokens_milli -= 1000;
	return 1;
}

/* One's complement sum over len bytes (a multiple of 4, at most 76). */
static __always_inline __u32 sum_words(struct xdp_md *ctx, __u32 off, __u32 len)
{
	struct pkt_ctx x = { ctx, 0 };
	__u32 sum = 0;
	int i;

	for (i = 0; i < 19; i++) {
		__u32 *w;

		if ((__u32)i * 4 >= len)
			break;
		w = PKT_PTR(&x, off + i * 4, 4);
		if (!w)
			break;
		sum += *w & 0xffff;
		sum += *w >> 16;
	}
	return sum;
}

/* Returns XDP_TX with the reply in the frame, or -1 to just drop. */
static __always_inline int icmp_prohibited_reply(struct xdp_md *ctx, const struct pkt_info *p,
						 __u32 rate)
{
	struct pkt_ctx x = { ctx, 0 };
	__u32 ifindex = ctx->ingress_ifindex;
	struct cgnat_iface *ifc = bpf_map_lookup_elem(&cgnat_ifaces, &ifindex);
	__u32 quote, total, src;
	struct ethhdr *eth, *old_eth;
	struct iphdr *ip;
	__u8 *icmp, mac[6];

	if (!ifc || !ifc->ipv4)
		return -1;
	if (!icmp_token(rate)) {
		stat_inc(CGNAT_STAT_ICMP_RATE_LIMITED);
		return -1;
	}
	src = ifc->ipv4;
	quote = (p->o.l4_off - p->o.l3_off) + QUOTE_L4;
	if (quote > 68)
		return -1;
	if (bpf_xdp_adjust_head(ctx, -(int)REPLY_HDRS))
		return -1;
	/* Old Ethernet header now sits REPLY_HDRS in; the old IPv4 header
	 * already is where the quote belongs. */
	eth = PKT_PTR(&x, 0, sizeof(*eth));
	old_eth = PKT_PTR(&x, REPLY_HDRS, sizeof(*old_eth));
	if (!eth || !old_eth)
		return -1;
	__builtin_memcpy(mac, old_eth->h_source, 6);
	__builtin_memcpy(eth->h_source, old_eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, mac, 6);
	eth->h_proto = ETH_P_IP_BE;

	total = sizeof(struct iphdr) + 8 + quote;
	if (bpf_xdp_adjust_tail(ctx, (int)(sizeof(*eth) + total) - (int)bpf_xdp_get_buff_len(ctx)))
		return -1;

	ip = PKT_PTR(&x, sizeof(*eth), sizeof(*ip));
	icmp = PKT_PTR(&x, sizeof(*eth) + sizeof(*ip), 8);
	if (!ip || !icmp)
		return -1;
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0xc0;
	ip->tot_len = bpf_htons(total);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP_;
	ip->check = 0;
	ip->saddr = src;
	ip->daddr = p->o.saddr;
	ip->check = ~cgnat_csum_fold(sum_words(ctx, sizeof(*eth), sizeof(*ip)));

	icmp = PKT_PTR(&x, sizeof(*eth) + sizeof(*ip), 8);
	if (!icmp)
		return -1;
	*(__u32 *)icmp = 0;
	*(__u32 *)(icmp + 4) = 0;
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_CODE_ADMIN_PROHIBITED;
	*(__u16 *)(icmp + 2) = ~cgnat_csum_fold(sum_words(ctx, sizeof(*eth) + sizeof(*ip), 8 + quote));
	stat_inc(CGNAT_STAT_ICMP_SENT);
	return XDP_TX;
}

/* Drop reasons meaning "no mapping can be made for this new flow". */
static __always_inline int wants_prohibited_reply(int reason)
{
	return reason == CGNAT_STAT_DROP_QUOTA_SESSIONS || reason == CGNAT_STAT_DROP_QUOTA_PORTS ||
	       reason == CGNAT_STAT_DROP_PORTS_EXHAUSTED ||
	       reason == CGNAT_STAT_DROP_ADDRS_EXHAUSTED || reason == CGNAT_STAT_DROP_TABLE_FULL ||
	       reason == CGNAT_STAT_DROP_EVENT_RING_FULL;
}

#endif
