/* Parsing Ethernet / IPv4 / TCP, UDP, ICMP into struct pkt_info.
 *
 * One parser for every program. It records offsets, not pointers, so the
 * rewrite code can work after helpers that invalidate packet pointers.
 * ICMP errors are parsed two levels deep: the embedded IPv4 header and the
 * first 8 bytes of its transport header, which is what RFC 5508 needs to
 * find the mapping.
 */
#ifndef CGNAT_BPF_PARSE_H
#define CGNAT_BPF_PARSE_H

#include "pkt.h"

#define ETH_P_IP_BE 0x0008 /* htons(0x0800) */
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IPV4,     /* ARP, IPv6, VLAN-tagged...: not ours */
	PARSE_MALFORMED,    /* truncated or inconsistent headers */
	PARSE_UNSUPPORTED,  /* IPv4, but a protocol or ICMP type we cannot translate */
};

enum frag_kind {
	FRAG_NONE = 0,
	FRAG_FIRST = 1,   /* MF set, offset 0: carries the transport header */
	FRAG_LATER = 2,   /* offset > 0: no transport header */
};

/* Transport endpoints of one IPv4 header (outer or embedded). */
struct l4_tuple {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;  /* ICMP echo: identifier (both ports) */
	__u16 dport;
	__u16 l3_off;
	__u16 l4_off;
	__u16 l4_csum_off; /* 0 when the checksum is not within the packet */
	__u8 proto;        /* IPPROTO_* */
	__u8 slot;         /* enum cgnat_proto_slot */
};

struct pkt_info {
	struct l4_tuple o;      /* outer packet */
	struct l4_tuple in;     /* embedded packet of an ICMP error */
	__u16 tot_len;          /* host order */
	__u16 pkt_end;          /* offset just past the outer IPv4 packet (frames may be padded) */
	__u8 ttl;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_error;        /* 1: outer is an ICMP error with a parsed embedded packet */
	__u8 frag;              /* enum frag_kind */
	__u8 pad;
	__u16 ip_id;            /* IPv4 identification, network order (fragments) */
	__u16 pad2;
};

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

/* len bytes at off lie inside the IPv4 packet, not just inside the frame:
 * Ethernet pads short packets, and padding is not part of the datagram. */
static __always_inline int in_packet(const struct pkt_info *p, __u32 off, __u32 len)
{
	return off + len <= p->pkt_end;
}

/* Parse the transport header at t->l4_off. `embedded` relaxes the rules for
 * the truncated copy inside an ICMP error (only 8 bytes are guaranteed). */
static __always_inline int parse_l4(const struct pkt_ctx *x, struct l4_tuple *t,
				    struct pkt_info *p, int embedded)
{
	__u32 off = t->l4_off;

	if (t->proto == IPPROTO_TCP_) {
		struct tcphdr *th;

		t->slot = CGNAT_P_TCP;
		if (embedded) {
			__u16 *ports = PKT_PTR(x, off, 4);

			if (!ports || !in_packet(p, off, 4))
				return PARSE_MALFORMED;
			t->sport = ports[0];
			t->dport = ports[1];
			/* The checksum sits at byte 16: present only if the error quoted it. */
			t->l4_csum_off = PKT_PTR(x, off + 16, 2) && in_packet(p, off + 16, 2) ? off + 16 : 0;
			return PARSE_OK;
		}
		th = PKT_PTR(x, off, sizeof(struct tcphdr));
		if (!th || !in_packet(p, off, sizeof(struct tcphdr)) || th->doff < 5)
			return PARSE_MALFORMED;
		t->sport = th->source;
		t->dport = th->dest;
		t->l4_csum_off = off + 16;
		p->tcp_flags = ((__u8 *)th)[13];
		return PARSE_OK;
	}
	if (t->proto == IPPROTO_UDP_) {
		struct udphdr *uh = PKT_PTR(x, off, sizeof(struct udphdr));

		if (!uh || !in_packet(p, off, sizeof(struct udphdr)))
			return PARSE_MALFORMED;
		t->slot = CGNAT_P_UDP;
		t->sport = uh->source;
		t->dport = uh->dest;
		t->l4_csum_off = off + 6;
		return PARSE_OK;
	}
	if (t->proto == IPPROTO_ICMP_) {
		__u8 *ih = PKT_PTR(x, off, 8);
		__u8 type;

		if (!ih || !in_packet(p, off, 8))
			return PARSE_MALFORMED;
		type = ih[0];
		t->slot = CGNAT_P_ICMP;
		t->l4_csum_off = off + 2;
		if (type == ICMP_ECHO || type == ICMP_ECHOREPLY) {
			t->sport = *(__u16 *)(ih + 4);
			t->dport = t->sport;
			if (!embedded)
				p->icmp_type = type;
			return PARSE_OK;
		}
		if (embedded)
			return PARSE_UNSUPPORTED; /* errors about errors are never sent */
		p->icmp_type = type;
		if (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
		    type == ICMP_PARAMETERPROB) {
			p->icmp_error = 1;
			return PARSE_OK;
		}
		return PARSE_UNSUPPORTED;
	}
	return PARSE_UNSUPPORTED;
}

/* Parse an IPv4 header at t->l3_off; sets addresses, protocol, l4_off. */
static __always_inline int parse_ipv4(const struct pkt_ctx *x, struct l4_tuple *t,
				      struct pkt_info *p, int embedded)
{
	struct iphdr *ip = PKT_PTR(x, t->l3_off, sizeof(struct iphdr));
	__u32 hlen;

	if (!ip || ip->version != 4 || ip->ihl < 5)
		return PARSE_MALFORMED;
	hlen = ip->ihl * 4;
	if (!PKT_PTR(x, t->l3_off, hlen) || (embedded && !in_packet(p, t->l3_off, hlen)))
		return PARSE_MALFORMED;
	t->saddr = ip->saddr;
	t->daddr = ip->daddr;
	t->proto = ip->protocol;
	t->l4_off = t->l3_off + hlen;
	if (!embedded) {
		__u16 tot = bpf_ntohs(ip->tot_len);
		__u16 frag = bpf_ntohs(ip->frag_off);

		/* Ethernet may pad short frames; a header claiming more than we hold is bad. */
		if (tot < hlen || !pkt_has(x, t->l3_off, tot))
			return PARSE_MALFORMED;
		p->tot_len = tot;
		p->pkt_end = t->l3_off + tot;
		p->ip_id = ip->id;
		p->ttl = ip->ttl;
		if (frag & IP_OFFMASK)
			p->frag = FRAG_LATER;
		else if (frag & IP_MF)
			p->frag = FRAG_FIRST;
	}
	return PARSE_OK;
}

/* Parse a frame starting at the Ethernet header. */
static __always_inline int parse_packet(const struct pkt_ctx *x, struct pkt_info *p)
{
	struct ethhdr *eth = PKT_PTR(x, 0, sizeof(struct ethhdr));
	int r;

	if (!eth)
		return PARSE_MALFORMED;
	if (eth->h_proto != ETH_P_IP_BE)
		return PARSE_NOT_IPV4;
	p->o.l3_off = sizeof(struct ethhdr);
	r = parse_ipv4(x, &p->o, p, 0);
	if (r != PARSE_OK)
		return r;
	if (p->frag == FRAG_LATER) {
		/* No transport header: only the address can be known. */
		if (p->o.proto == IPPROTO_TCP_)
			p->o.slot = CGNAT_P_TCP;
		else if (p->o.proto == IPPROTO_UDP_)
			p->o.slot = CGNAT_P_UDP;
		else if (p->o.proto == IPPROTO_ICMP_)
			p->o.slot = CGNAT_P_ICMP;
		else
			return PARSE_UNSUPPORTED;
		return PARSE_OK;
	}
	r = parse_l4(x, &p->o, p, 0);
	if (r != PARSE_OK || !p->icmp_error)
		return r;
	if (p->frag != FRAG_NONE)
		return PARSE_MALFORMED; /* ICMP errors are small; a fragmented one is bogus */
	p->in.l3_off = p->o.l4_off + 8;
	r = parse_ipv4(x, &p->in, p, 1);
	if (r != PARSE_OK)
		return r == PARSE_MALFORMED ? PARSE_MALFORMED : r;
	return parse_l4(x, &p->in, p, 1);
}

#endif
