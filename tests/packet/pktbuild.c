/* Building and parsing test frames, see pktbuild.h. */
#include "pktbuild.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum_ref.h"

uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "fixture error: bad IPv4 address '%s'\n", s);
		abort();
	}
	return a.s_addr;
}

const char *ip4str(uint32_t ip)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int n;
	char *b = buf[n++ & 3];

	inet_ntop(AF_INET, &ip, b, INET_ADDRSTRLEN);
	return b;
}

/* IP options for IHL 6..15: Router Alert for one word, else an empty
 * Record Route (type 7) filling the space, ended by End of Options. */
static void fill_options(uint8_t *opt, size_t n)
{
	size_t i;

	memset(opt, 0, n);
	if (n == 4) {
		opt[0] = 0x94;
		opt[1] = 4;
		return;
	}
	opt[0] = 7;
	opt[1] = (uint8_t)(3 + 4 * ((n - 4) / 4));
	opt[2] = 4;
	for (i = 3; i < opt[1]; i++)
		opt[i] = (uint8_t)(0xa0 + i); /* recognisable bytes the NAT must not touch */
}

/* Transport header + payload of one packet; returns its length. */
static size_t build_l4(const struct l3_spec *l, const uint8_t *quote, size_t quote_len,
		       uint8_t *p, size_t cap)
{
	size_t hl, n;

	if (l->frag & 0x1fff) { /* later fragment: payload only */
		if (l->payload_len > cap)
			return 0;
		memcpy(p, l->payload, l->payload_len);
		return l->payload_len;
	}
	switch (l->proto) {
	case PROTO_TCP:
		hl = 4u * (l->tcp_doff ? l->tcp_doff : 5);
		if (hl < 20)
			hl = 20; /* doff < 5 is a malformation of the field only */
		n = hl + l->payload_len;
		if (n > cap)
			return 0;
		memset(p, 0, hl);
		wr16(p, l->sport);
		wr16(p + 2, l->dport);
		p[4] = (uint8_t)(l->tcp_seq >> 24);
		p[5] = (uint8_t)(l->tcp_seq >> 16);
		p[6] = (uint8_t)(l->tcp_seq >> 8);
		p[7] = (uint8_t)l->tcp_seq;
		p[8] = (uint8_t)(l->tcp_ack >> 24);
		p[9] = (uint8_t)(l->tcp_ack >> 16);
		p[10] = (uint8_t)(l->tcp_ack >> 8);
		p[11] = (uint8_t)l->tcp_ack;
		p[12] = (uint8_t)((l->tcp_doff ? l->tcp_doff : 5) << 4);
		p[13] = l->tcp_flags;
		wr16(p + 14, 64240);
		memcpy(p + hl, l->payload, l->payload_len);
		return n;
	case PROTO_UDP:
		n = 8 + l->payload_len;
		if (n > cap)
			return 0;
		wr16(p, l->sport);
		wr16(p + 2, l->dport);
		wr16(p + 4, (uint16_t)n);
		wr16(p + 6, 0);
		memcpy(p + 8, l->payload, l->payload_len);
		return n;
	case PROTO_ICMP:
		n = 8 + (quote ? quote_len : l->payload_len);
		if (n > cap)
			return 0;
		memset(p, 0, 8);
		p[0] = l->icmp_type;
		p[1] = l->icmp_code;
		if (l->icmp_type == 0 || l->icmp_type == 8) {
			wr16(p + 4, l->sport);
			wr16(p + 6, l->icmp_seq);
		} else if (l->icmp_type == 3 && l->icmp_code == 4) {
			wr16(p + 6, l->icmp_mtu);
		}
		if (quote)
			memcpy(p + 8, quote, quote_len);
		else
			memcpy(p + 8, l->payload, l->payload_len);
		return n;
	default:
		if (l->payload_len > cap)
			return 0;
		memcpy(p, l->payload, l->payload_len);
		return l->payload_len;
	}
}

/* One IPv4 packet with correct checksums; returns its length. */
static size_t build_ipv4(const struct l3_spec *l, const uint8_t *quote, size_t quote_len,
			 uint8_t *p, size_t cap)
{
	size_t hl = 4u * (l->ihl ? l->ihl : 5), n4, tot;
	uint8_t *l4 = p + hl;

	if (cap < hl)
		return 0;
	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | (hl / 4));
	p[1] = l->tos;
	wr16(p + 4, l->ip_id);
	wr16(p + 6, l->frag);
	p[8] = l->ttl ? l->ttl : 64;
	p[9] = l->proto;
	memcpy(p + 12, &l->saddr, 4);
	memcpy(p + 16, &l->daddr, 4);
	if (hl > 20)
		fill_options(p + 20, hl - 20);
	n4 = build_l4(l, quote, quote_len, l4, cap - hl);
	if (!n4 && (l->payload_len || l->proto == PROTO_TCP || l->proto == PROTO_UDP ||
		    l->proto == PROTO_ICMP))
		return 0;
	tot = hl + n4;
	wr16(p + 2, (uint16_t)tot);
	wr16(p + 10, ref_ipv4_csum(p, hl));
	if (l->frag & 0x1fff)
		return tot;
	/* A first fragment's checksum covers the whole datagram; the tests
	 * only need it consistent, so it is taken over what is present. */
	if (l->proto == PROTO_TCP)
		wr16(l4 + 16, ref_l4_csum(l->saddr, l->daddr, PROTO_TCP, l4, n4));
	else if (l->proto == PROTO_UDP)
		wr16(l4 + 6, l->udp_csum_zero ? 0 : ref_l4_csum(l->saddr, l->daddr, PROTO_UDP, l4, n4));
	else if (l->proto == PROTO_ICMP)
		wr16(l4 + 2, ref_csum(l4, n4));
	return tot;
}

static const uint8_t arp_body[28] = {
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,             /* request */
	0x02, 0xc0, 0x00, 0x02, 0x0a, 0x01, 192, 0, 2, 10,     /* sender 192.0.2.10 */
	0, 0, 0, 0, 0, 0, 192, 0, 2, 1,                        /* target 192.0.2.1 */
};

static const uint8_t ipv6_body[48] = {
	0x60, 0, 0, 0, 0, 8, 17, 64,                           /* UDP, 8 bytes */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,  /* 2001:db8::1 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,  /* 2001:db8::2 */
	0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
};

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	uint8_t inner[PKT_MAX];
	size_t n, in_len = 0, in_hl;

	if (cap < 14)
		return 0;
	memcpy(buf, s->eth_dst, 6);
	memcpy(buf + 6, s->eth_src, 6);
	if (s->l2 == L2_ARP) {
		wr16(buf + 12, 0x0806);
		memcpy(buf + 14, arp_body, sizeof(arp_body));
		return 14 + sizeof(arp_body);
	}
	if (s->l2 == L2_IPV6) {
		wr16(buf + 12, 0x86dd);
		memcpy(buf + 14, ipv6_body, sizeof(ipv6_body));
		return 14 + sizeof(ipv6_body);
	}
	wr16(buf + 12, 0x0800);
	if (s->has_inner) {
		in_len = build_ipv4(&s->in, NULL, 0, inner, sizeof(inner));
		if (!in_len)
			return 0;
		in_hl = 4u * (s->in.ihl ? s->in.ihl : 5);
		if (s->inner_l4_quote >= 0 && in_hl + (size_t)s->inner_l4_quote < in_len)
			in_len = in_hl + (size_t)s->inner_l4_quote;
	}
	n = build_ipv4(&s->o, s->has_inner ? inner : NULL, in_len, buf + 14, cap - 14);
	return n ? 14 + n : 0;
}

static int parse_l3(const uint8_t *f, size_t len, int off, int embedded, struct l3_view *v)
{
	const uint8_t *ip = f + off;
	size_t avail;

	memset(v, 0, sizeof(*v));
	v->l3_off = off;
	if ((size_t)off + 20 > len || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5)
		return -1;
	v->hlen = 4 * (ip[0] & 15);
	if ((size_t)off + v->hlen > len)
		return -1;
	v->tot_len = rd16(ip + 2);
	v->frag = rd16(ip + 6);
	v->ttl = ip[8];
	v->proto = ip[9];
	memcpy(&v->saddr, ip + 12, 4);
	memcpy(&v->daddr, ip + 16, 4);
	v->l4_off = off + v->hlen;
	avail = len - (size_t)v->l4_off;
	v->complete = (size_t)off + v->tot_len <= len && v->tot_len >= v->hlen;
	if (!embedded && !v->complete)
		return -1;
	v->l4_len = v->tot_len >= v->hlen ? v->tot_len - v->hlen : 0;
	if ((size_t)v->l4_len > avail)
		v->l4_len = (int)avail;
	if (v->frag & 0x1fff)
		return 0;
	if ((v->proto == PROTO_TCP || v->proto == PROTO_UDP) && v->l4_len >= 4) {
		v->sport = rd16(f + v->l4_off);
		v->dport = rd16(f + v->l4_off + 2);
	} else if (v->proto == PROTO_ICMP && v->l4_len >= 8) {
		v->icmp_type = f[v->l4_off];
		v->icmp_code = f[v->l4_off + 1];
		if (v->icmp_type == 0 || v->icmp_type == 8)
			v->sport = v->dport = rd16(f + v->l4_off + 4);
	}
	return 0;
}

static int is_icmp_error(uint8_t type)
{
	return type == 3 || type == 11 || type == 12;
}

int pkt_parse(const uint8_t *f, size_t len, struct pkt_view *v)
{
	memset(v, 0, sizeof(*v));
	if (len < 14)
		return -1;
	v->ethertype = rd16(f + 12);
	if (v->ethertype != 0x0800)
		return -1;
	if (parse_l3(f, len, 14, 0, &v->o))
		return -1;
	v->ipv4 = 1;
	if (v->o.proto == PROTO_ICMP && !(v->o.frag & 0x3fff) && v->o.l4_len >= 8 &&
	    is_icmp_error(v->o.icmp_type)) {
		/* the quote ends where the outer packet ends */
		if (parse_l3(f, (size_t)v->o.l3_off + v->o.tot_len, v->o.l4_off + 8, 1, &v->in) == 0)
			v->has_inner = 1;
	}
	return 0;
}

static int check_l4(const uint8_t *f, const struct l3_view *l, const char *where, char *why,
		    size_t whylen, int *count)
{
	const uint8_t *l4 = f + l->l4_off;

	if (l->proto == PROTO_TCP || l->proto == PROTO_UDP) {
		if (l->proto == PROTO_UDP && l->l4_len >= 8 && rd16(l4 + 6) == 0)
			return 0; /* no checksum */
		if (!ref_l4_ok(l->saddr, l->daddr, l->proto, l4, (size_t)l->l4_len)) {
			snprintf(why, whylen, "%s %s checksum 0x%04x wrong (want 0x%04x)", where,
				 l->proto == PROTO_TCP ? "TCP" : "UDP",
				 rd16(l4 + (l->proto == PROTO_TCP ? 16 : 6)),
				 ref_l4_csum(l->saddr, l->daddr, l->proto, l4, (size_t)l->l4_len));
			return -1;
		}
		++*count;
	} else if (l->proto == PROTO_ICMP) {
		if (!ref_icmp_ok(l4, (size_t)l->l4_len)) {
			uint8_t tmp[PKT_MAX];

			memcpy(tmp, l4, (size_t)l->l4_len);
			tmp[2] = tmp[3] = 0;
			snprintf(why, whylen, "%s ICMP checksum 0x%04x wrong (want 0x%04x)", where,
				 rd16(l4 + 2), ref_csum(tmp, (size_t)l->l4_len));
			return -1;
		}
		++*count;
	}
	return 0;
}

int pkt_verify_csums(const uint8_t *f, size_t len, char *why, size_t whylen)
{
	struct pkt_view v;
	int count = 0;

	snprintf(why, whylen, "ok");
	if (len >= 14 && rd16(f + 12) != 0x0800)
		return 0;
	if (pkt_parse(f, len, &v)) {
		snprintf(why, whylen, "not a well-formed IPv4 frame");
		return -1;
	}
	if (!ref_ipv4_ok(f + 14, (size_t)v.o.hlen)) {
		snprintf(why, whylen, "IPv4 header checksum 0x%04x wrong (want 0x%04x)",
			 rd16(f + 14 + 10), ref_ipv4_csum(f + 14, (size_t)v.o.hlen));
		return -1;
	}
	count++;
	if (v.o.frag & 0x3fff)
		return count; /* a fragment's transport checksum covers bytes not here */
	if (check_l4(f, &v.o, "outer", why, whylen, &count))
		return -1;
	if (!v.has_inner)
		return count;
	if (!ref_ipv4_ok(f + v.in.l3_off, (size_t)v.in.hlen)) {
		snprintf(why, whylen, "embedded IPv4 header checksum 0x%04x wrong (want 0x%04x)",
			 rd16(f + v.in.l3_off + 10), ref_ipv4_csum(f + v.in.l3_off, (size_t)v.in.hlen));
		return -1;
	}
	count++;
	if (v.in.complete && !(v.in.frag & 0x3fff) &&
	    check_l4(f, &v.in, "embedded", why, whylen, &count))
		return -1;
	return count;
}

void pkt_hexdiff(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen)
{
	size_t n = glen > wlen ? glen : wlen, i, j;

	fprintf(stderr, "    frame length: got %zu, want %zu; differing bytes in [brackets]\n",
		glen, wlen);
	for (i = 0; i < n; i += 16) {
		char gl[16 * 5 + 1] = "", wl[16 * 5 + 1] = "";
		int diff = 0;

		for (j = i; j < i + 16 && j < n; j++) {
			int g = j < glen ? got[j] : -1, w = j < wlen ? want[j] : -1;
			char gb[6], wb[6];

			if (g != w)
				diff = 1;
			if (g < 0)
				snprintf(gb, sizeof(gb), "  -- ");
			else
				snprintf(gb, sizeof(gb), g != w ? "[%02x]" : " %02x ", g);
			if (w < 0)
				snprintf(wb, sizeof(wb), "  -- ");
			else
				snprintf(wb, sizeof(wb), " %02x ", w);
			strcat(gl, gb);
			strcat(wl, wb);
		}
		fprintf(stderr, "    %04zx got  %s\n", i, gl);
		if (diff)
			fprintf(stderr, "    %04zx want %s\n", i, wl);
	}
}
