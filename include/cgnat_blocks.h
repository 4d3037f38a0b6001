/* Port block geometry and the deterministic (RFC 7422) mapping arithmetic.
 *
 * Header-only so the dataplane, the agent, cgnatctl and the tests compute
 * the very same numbers. Every public address's port range
 * [port_min, port_min + blocks_per_ip * block_size) is cut into
 * blocks_per_ip blocks; a block's global id is
 *     ip_index * blocks_per_ip + n.
 *
 * Deterministic mode: subscriber k (0 <= k < N, counted across the inside
 * prefixes in address order) owns exactly one block whose size is the
 * configured ports_per_subscriber. Consecutive subscribers go to
 * consecutive public addresses, so a small N still uses every address:
 *     ip_index = k mod P,   n = k div P
 * and in reverse
 *     n = (port - port_min) div block_size,  k = n * P + ip_index.
 */
#ifndef CGNAT_BLOCKS_H
#define CGNAT_BLOCKS_H

#ifndef __bpf__
#include <linux/types.h>
#endif

struct cgnat_geometry {
	__u32 port_min;      /* host order */
	__u32 block_size;    /* ports per block */
	__u32 blocks_per_ip;
	__u32 n_pool;        /* public addresses */
};

static inline __u32 cgnat_block_ip_index(const struct cgnat_geometry *g, __u32 block)
{
	return block / g->blocks_per_ip;
}

static inline __u32 cgnat_block_first_port(const struct cgnat_geometry *g, __u32 block)
{
	return g->port_min + (block % g->blocks_per_ip) * g->block_size;
}

/* Block holding (ip_index, port); -1 when the port is outside every block. */
static inline long long cgnat_block_of(const struct cgnat_geometry *g, __u32 ip_index,
				       __u32 port)
{
	__u32 n;

	if (port < g->port_min || ip_index >= g->n_pool)
		return -1;
	n = (port - g->port_min) / g->block_size;
	if (n >= g->blocks_per_ip)
		return -1;
	return (long long)ip_index * g->blocks_per_ip + n;
}

/* Deterministic forward: subscriber index -> block. -1 if k does not fit. */
static inline long long cgnat_det_block(const struct cgnat_geometry *g, __u64 k)
{
	__u64 ip_index = k % g->n_pool;
	__u64 n = k / g->n_pool;

	if (n >= g->blocks_per_ip)
		return -1;
	return (long long)(ip_index * g->blocks_per_ip + n);
}

/* Deterministic reverse: block -> subscriber index (may be >= N: unused). */
static inline __u64 cgnat_det_subscriber(const struct cgnat_geometry *g, __u32 block)
{
	__u64 ip_index = block / g->blocks_per_ip;
	__u64 n = block % g->blocks_per_ip;

	return n * g->n_pool + ip_index;
}

#endif
