/* Incremental Internet checksum arithmetic (RFC 1071, RFC 1624).
 *
 * Shared by the dataplane (XDP path) and the tests' reference code. Values
 * are raw 16/32-bit words as loaded from packet memory: one's complement
 * sums do not depend on byte order as long as every operand, including the
 * checksum field, is read the same way.
 */
#ifndef CGNAT_CSUM_H
#define CGNAT_CSUM_H

#ifndef __bpf__
#include <linux/types.h>
#endif

static inline __u16 cgnat_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). It can yield 0x0000; a UDP
 * checksum must then be sent as 0xffff because zero means "no checksum". */
static inline __u16 cgnat_csum_replace16(__u16 csum, __u16 old, __u16 new_val)
{
	__u32 sum = (__u16)~csum;

	sum += (__u16)~old;
	sum += new_val;
	return (__u16)~cgnat_csum_fold(sum);
}

static inline __u16 cgnat_csum_replace32(__u16 csum, __u32 old, __u32 new_val)
{
	__u32 sum = (__u16)~csum;

	sum += (__u16)~(old & 0xffff);
	sum += (__u16)~(old >> 16);
	sum += new_val & 0xffff;
	sum += new_val >> 16;
	return (__u16)~cgnat_csum_fold(sum);
}

#endif
