// SPDX-License-Identifier: GPL-2.0
/* Baseline for the benchmarks: the least an XDP router does, and nothing
 * else. Ethernet + IPv4 only, bpf_fib_lookup() in the kernel FIB, TTL
 * decrement with an incremental header checksum update (RFC 1624), MAC
 * rewrite and bpf_redirect() to the egress interface; whatever the FIB
 * cannot finish (no neighbour, local delivery, TTL 1) goes to the kernel.
 * Modelled on the kernel's samples/bpf/xdp_fwd_kern.c. No NAT, no maps.
 *
 * Loaded by tests/bench/run.sh with `ip link set dev X xdp obj ...`.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP_ 0x0800
#define AF_INET_ 2

static __always_inline void ttl_dec(struct iphdr *ip)
{
	__u32 check = ip->check;

	/* TTL is the high byte of its 16-bit word: -1 there is +0x0100 in
	 * the checksum, in network order. */
	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xffff));
	ip->ttl--;
}

SEC("xdp")
int xdp_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup f = {};
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	int rc;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP_))
		return XDP_PASS;
	if (ip->ttl <= 1)
		return XDP_PASS;
	f.family = AF_INET_;
	f.tos = ip->tos;
	f.l4_protocol = ip->protocol;
	f.tot_len = bpf_ntohs(ip->tot_len);
	f.ipv4_src = ip->saddr;
	f.ipv4_dst = ip->daddr;
	f.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &f, sizeof(f), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	ttl_dec(ip);
	__builtin_memcpy(eth->h_dest, f.dmac, 6);
	__builtin_memcpy(eth->h_source, f.smac, 6);
	return bpf_redirect(f.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
