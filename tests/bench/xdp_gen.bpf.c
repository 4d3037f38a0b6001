// SPDX-License-Identifier: GPL-2.0
/* The benchmarks' traffic generator (DESIGN.md section 7: "a small
 * BPF_PROG_RUN live-frames generator of our own"). tests/bench/xdpgen.c
 * runs this program with BPF_F_TEST_XDP_LIVE_FRAMES; every frame it
 * returns XDP_REDIRECT for leaves through the generator's veth.
 *
 * Frames come back from the page pool as the receiver left them (the NAT
 * rewrites them in place), so every header field is written again for
 * each frame. The UDP payload is never touched by anyone and stays as
 * userspace supplied it; its share of the UDP checksum is precomputed.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct gen_flow {
	__u32 saddr, daddr;   /* network order */
	__u16 sport, dport;   /* network order */
};

#define GEN_MAX_FLOWS 65536

/* Set by xdpgen before load. */
const volatile __u32 out_ifindex;
const volatile __u8 dmac[6];
const volatile __u8 smac[6];
const volatile __u16 ip_len;        /* host order */
const volatile __u32 n_flows;       /* > 0: cycle through gen_flows */
/* n_flows == 0: every frame a new flow, source address, source port and
 * destination port counting up together (ranges without a common factor:
 * no tuple repeats for a long time). */
const volatile __u32 new_saddr_base; /* host order */
const volatile __u32 new_saddr_count;
const volatile __u32 new_sport_lo;
const volatile __u32 new_sport_count;
const volatile __u32 new_daddr;      /* network order */
const volatile __u32 new_dport_lo;
const volatile __u32 new_dport_count;
/* One's-complement sums (unfolded) of everything but the per-flow fields. */
const volatile __u32 ip_csum_fixed;
const volatile __u32 udp_csum_fixed;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_MAX_FLOWS);
	__type(key, __u32);
	__type(value, struct gen_flow);
} gen_flows SEC(".maps");

__u64 frame_no;

static __always_inline __u16 fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static __always_inline __u32 addr_words(__u32 a)
{
	return (a & 0xffff) + (a >> 16);
}

static __always_inline int next_flow(struct gen_flow *fl)
{
	__u64 n = frame_no++;

	if (n_flows) {
		__u32 i = n % n_flows;
		struct gen_flow *t = bpf_map_lookup_elem(&gen_flows, &i);

		if (!t)
			return -1;
		*fl = *t;
		return 0;
	}
	if (!new_saddr_count || !new_sport_count || !new_dport_count)
		return -1;
	fl->saddr = bpf_htonl(new_saddr_base + (__u32)(n % new_saddr_count));
	fl->sport = bpf_htons((__u16)(new_sport_lo + n % new_sport_count));
	fl->daddr = new_daddr;
	fl->dport = bpf_htons((__u16)(new_dport_lo + n % new_dport_count));
	return 0;
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = (void *)(ip + 1);
	struct gen_flow fl;
	__u32 words;

	if ((void *)(udp + 1) > data_end || next_flow(&fl))
		return XDP_ABORTED;
	/* Byte by byte: a memcpy from the rodata would let the compiler fold
	 * the addresses to their load-time value of zero. */
#pragma unroll
	for (int i = 0; i < 6; i++) {
		eth->h_dest[i] = dmac[i];
		eth->h_source[i] = smac[i];
	}
	eth->h_proto = bpf_htons(0x0800);
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(ip_len);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = fl.saddr;
	ip->daddr = fl.daddr;
	udp->source = fl.sport;
	udp->dest = fl.dport;
	udp->len = bpf_htons(ip_len - sizeof(*ip));
	words = addr_words(fl.saddr) + addr_words(fl.daddr);
	ip->check = fold(ip_csum_fixed + words);
	udp->check = fold(udp_csum_fixed + words + fl.sport + fl.dport);
	if (!udp->check)
		udp->check = 0xffff;
	return bpf_redirect(out_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
