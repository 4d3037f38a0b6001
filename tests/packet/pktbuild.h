/* Building and parsing test frames.
 *
 * A frame is described by struct pkt_spec (Ethernet + IPv4 + TCP/UDP/ICMP,
 * optionally an ICMP error quoting another IPv4 packet) and turned into
 * bytes by pkt_build(), which fills every checksum with the reference
 * routines of csum_ref.c. The tests describe what they send and what they
 * expect to receive the same way, so the expected frame is built from
 * scratch too, never derived from the dataplane's output.
 *
 * Addresses are network order, ports and other multi-byte fields host order.
 */
#ifndef PKT_BUILD_H
#define PKT_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048
#define PKT_PAYLOAD_MAX 256

enum pkt_l2 {
	L2_IPV4 = 0,
	L2_ARP = 1,
	L2_IPV6 = 2,
};

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17

#define IPF_DF 0x4000
#define IPF_MF 0x2000

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* One IPv4 packet. */
struct l3_spec {
	uint32_t saddr, daddr;   /* network order */
	uint16_t sport, dport;   /* ICMP echo: the identifier is sport (dport ignored) */
	uint8_t proto;           /* PROTO_* */
	uint8_t ttl;             /* 0: 64 */
	uint8_t tos;
	uint8_t ihl;             /* 0: 5; options (6..15) get a fixed pattern */
	uint16_t ip_id;
	uint16_t frag;           /* flags + fragment offset field */
	uint8_t tcp_flags;
	uint8_t tcp_doff;        /* 0: 5 */
	uint32_t tcp_seq, tcp_ack;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_seq;       /* echo sequence number */
	uint16_t icmp_mtu;       /* destination unreachable code 4: next-hop MTU */
	uint8_t udp_csum_zero;   /* send UDP without checksum */
	uint16_t payload_len;
	uint8_t payload[PKT_PAYLOAD_MAX];
};

struct pkt_spec {
	enum pkt_l2 l2;
	uint8_t eth_dst[6], eth_src[6];
	struct l3_spec o;        /* outer packet */
	/* ICMP errors (o.proto ICMP, type 3/11/12): the quoted packet, and how
	 * many bytes of its transport part are quoted (-1: all of it). */
	int has_inner;
	struct l3_spec in;
	int inner_l4_quote;
};

/* Build the frame; returns its length (0 if it does not fit). */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* Offsets and fields found by pkt_parse(); 0 / -1 when absent. */
struct l3_view {
	int l3_off, hlen, l4_off, l4_len;  /* l4_len from tot_len, clipped to the frame */
	uint16_t tot_len;
	uint8_t proto, ttl;
	uint16_t frag;
	uint32_t saddr, daddr;
	uint16_t sport, dport;             /* ICMP echo: id in both */
	uint8_t icmp_type, icmp_code;
	int complete;                      /* all tot_len bytes are in the frame */
};

struct pkt_view {
	uint16_t ethertype;
	int ipv4;
	struct l3_view o;
	int has_inner;
	struct l3_view in;
};

/* Parse what the test needs to know about a frame. 0, or -1 if it is not a
 * well-formed IPv4 frame. */
int pkt_parse(const uint8_t *f, size_t len, struct pkt_view *v);

/* Check every checksum of a frame with csum_ref: outer IPv4, TCP/UDP with
 * the pseudo-header (not for fragments; UDP 0 means none), ICMP, and for
 * ICMP errors the embedded IPv4 header and, when the quote holds the whole
 * embedded packet, its transport checksum. Returns the number of checksums
 * verified, or -1 with the first failure described in why. */
int pkt_verify_csums(const uint8_t *f, size_t len, char *why, size_t whylen);

/* Print a hex dump of got against want, marking the bytes that differ. */
void pkt_hexdiff(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen);

/* "a.b.c.d" -> network order; aborts on a typo in a fixture. */
uint32_t ip4(const char *s);
/* network order -> static "a.b.c.d" (two rotating buffers) */
const char *ip4str(uint32_t ip);

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
