/* Reference Internet checksums (RFC 1071), see csum_ref.h. */
#include "csum_ref.h"

#include <string.h>

#define MAX_SEGMENT 4096 /* test frames are at most one page */

static uint32_t add_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t ref_sum(const void *data, size_t len, uint32_t initial)
{
	return fold(add_bytes(initial, data, len));
}

uint16_t ref_csum(const void *data, size_t len)
{
	return (uint16_t)~ref_sum(data, len, 0);
}

uint16_t ref_ipv4_csum(const uint8_t *ip, size_t hlen)
{
	uint8_t copy[60];

	if (hlen > sizeof(copy))
		hlen = sizeof(copy);
	memcpy(copy, ip, hlen);
	copy[10] = copy[11] = 0;
	return ref_csum(copy, hlen);
}

static uint32_t pseudo_sum(uint32_t saddr, uint32_t daddr, uint8_t proto, size_t len)
{
	uint8_t ph[12];

	memcpy(ph, &saddr, 4);
	memcpy(ph + 4, &daddr, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(len >> 8);
	ph[11] = (uint8_t)len;
	return add_bytes(0, ph, sizeof(ph));
}

uint16_t ref_l4_csum(uint32_t saddr, uint32_t daddr, uint8_t proto, const uint8_t *l4,
		     size_t len)
{
	static uint8_t copy[MAX_SEGMENT];
	size_t field = proto == 17 ? 6 : 16;
	uint16_t c;

	if (len > sizeof(copy))
		len = sizeof(copy);
	memcpy(copy, l4, len);
	if (field + 2 <= len)
		copy[field] = copy[field + 1] = 0;
	c = (uint16_t)~fold(add_bytes(pseudo_sum(saddr, daddr, proto, len), copy, len));
	if (proto == 17 && c == 0)
		c = 0xffff;
	return c;
}

int ref_ipv4_ok(const uint8_t *ip, size_t hlen)
{
	return ref_sum(ip, hlen, 0) == 0xffff;
}

int ref_l4_ok(uint32_t saddr, uint32_t daddr, uint8_t proto, const uint8_t *l4, size_t len)
{
	return fold(add_bytes(pseudo_sum(saddr, daddr, proto, len), l4, len)) == 0xffff;
}

int ref_icmp_ok(const uint8_t *icmp, size_t len)
{
	return ref_sum(icmp, len, 0) == 0xffff;
}
