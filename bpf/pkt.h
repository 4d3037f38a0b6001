/* Packet access shared by the XDP and tc entry points.
 *
 * The translation core is written once against these primitives. The
 * entry points pass a constant `tc` flag; every function here is
 * __always_inline, so clang folds the flag and each program only contains
 * the helpers its type may call.
 *
 * Offsets are masked to PKT_OFF_MASK before use: the verifier then knows
 * their range and accepts the variable-offset packet pointers that IP
 * options and ICMP-embedded headers produce.
 */
#ifndef CGNAT_BPF_PKT_H
#define CGNAT_BPF_PKT_H

#include "cgnat_csum.h"

#define PKT_OFF_MASK 0x1ff

struct pkt_ctx {
	void *ctx;  /* struct xdp_md * or struct __sk_buff * */
	int tc;     /* constant: 1 in tc programs */
};

/* ctx fields are read with fixed-offset loads in asm: clang otherwise may
 * compute "ctx + offset" into a register, which the verifier rejects. */
#define CTX_LOAD_PTR(ctx, type, field)                                        \
	({                                                                    \
		void *__v;                                                    \
		asm volatile("%0 = *(u32 *)(%1 + %2)"                         \
			     : "=r"(__v)                                      \
			     : "r"(ctx), "i"(__builtin_offsetof(type, field))); \
		__v;                                                          \
	})

static __always_inline void pkt_bounds(const struct pkt_ctx *x, void **data, void **end)
{
	if (x->tc) {
		*data = CTX_LOAD_PTR(x->ctx, struct __sk_buff, data);
		*end = CTX_LOAD_PTR(x->ctx, struct __sk_buff, data_end);
	} else {
		*data = CTX_LOAD_PTR(x->ctx, struct xdp_md, data);
		*end = CTX_LOAD_PTR(x->ctx, struct xdp_md, data_end);
	}
}

/* Pointer to len bytes at off, or NULL when the packet is shorter. */
#define PKT_PTR(x, off, len)                                          \
	({                                                            \
		void *__d, *__e, *__p;                                \
		pkt_bounds((x), &__d, &__e);                          \
		__p = __d + ((off) & PKT_OFF_MASK);                   \
		(__p + (len) > __e) ? (void *)0 : __p;                \
	})

/* Does the packet hold len bytes from off? In tc the linear area may be
 * shorter than the packet, so the skb length is the reference there. */
static __always_inline int pkt_has(const struct pkt_ctx *x, __u32 off, __u32 len)
{
	if (x->tc)
		return (__u64)off + len <= ((struct __sk_buff *)x->ctx)->len;
	if (len > 0x7fff)
		return 0; /* no XDP frame is that long */
	return PKT_PTR(x, off, len) != 0;
}

static __always_inline int pkt_load16(const struct pkt_ctx *x, __u32 off, __u16 *val)
{
	__u16 *p = PKT_PTR(x, off, 2);

	if (!p)
		return -1;
	*val = *p;
	return 0;
}

static __always_inline int pkt_store16(const struct pkt_ctx *x, __u32 off, __u16 val)
{
	__u16 *p = PKT_PTR(x, off, 2);

	if (!p)
		return -1;
	*p = val;
	return 0;
}

static __always_inline int pkt_store32(const struct pkt_ctx *x, __u32 off, __u32 val)
{
	__u32 *p = PKT_PTR(x, off, 4);

	if (!p)
		return -1;
	*p = val;
	return 0;
}

/* Checksum field kinds. */
enum csum_kind {
	CSUM_PLAIN = 0,  /* IPv4 header, ICMP, embedded headers: RFC 1624 on the field */
	CSUM_L4 = 1,     /* outer TCP/UDP over a non-pseudo-header word (ports) */
	CSUM_L4_PSEUDO = 2, /* outer TCP/UDP over a pseudo-header word (addresses) */
};

/* Adjust the checksum at csum_off for a 16- or 32-bit word changing from
 * old to new. udp: a zero checksum means "none" and stays zero; a computed
 * zero is sent as 0xffff.
 *
 * In tc the outer L4 checksum goes through bpf_l4_csum_replace, which
 * knows whether the skb carries CHECKSUM_PARTIAL (then the field holds only
 * the pseudo-header sum and port changes must not touch it). */
static __always_inline int pkt_csum_update(const struct pkt_ctx *x, __u32 csum_off,
					   __u32 old, __u32 new_val, int size,
					   enum csum_kind kind, int udp)
{
	__u16 csum, res;

	if (x->tc && kind != CSUM_PLAIN) {
		__u64 flags = size;

		if (kind == CSUM_L4_PSEUDO)
			flags |= BPF_F_PSEUDO_HDR;
		if (udp)
			flags |= BPF_F_MARK_MANGLED_0;
		return bpf_l4_csum_replace(x->ctx, csum_off & PKT_OFF_MASK, old, new_val, flags)
			       ? -1 : 0;
	}
	if (pkt_load16(x, csum_off, &csum))
		return -1;
	if (udp && csum == 0)
		return 0;
	if (size == 4)
		res = cgnat_csum_replace32(csum, old, new_val);
	else
		res = cgnat_csum_replace16(csum, (__u16)old, (__u16)new_val);
	if (udp && res == 0)
		res = 0xffff;
	return pkt_store16(x, csum_off, res);
}

#endif
