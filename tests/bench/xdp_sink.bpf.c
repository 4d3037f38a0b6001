// SPDX-License-Identifier: GPL-2.0
/* The benchmarks' sink: drop every frame in XDP. The veth driver counts
 * them (ethtool -S: rx_queue_N_xdp_drops), and a program on the receiving
 * veth is also what lets another interface XDP_REDIRECT into its peer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
