/* Reference Internet checksums for the packet tests, written from scratch
 * after RFC 1071 (and RFC 768/793/792 for what each checksum covers).
 *
 * Deliberately independent of include/cgnat_csum.h and bpf/: these
 * routines sum whole headers and payloads byte by byte, never
 * incrementally, so a mistake in the dataplane's RFC 1624 arithmetic
 * cannot hide behind the same mistake here. Addresses are passed in
 * network byte order, as they sit in the packet.
 */
#ifndef PKT_CSUM_REF_H
#define PKT_CSUM_REF_H

#include <stddef.h>
#include <stdint.h>

/* One's complement sum of 16-bit big-endian words, folded to 16 bits.
 * An odd trailing byte is padded with a zero byte (RFC 1071 4.1). */
uint16_t ref_sum(const void *data, size_t len, uint32_t initial);

/* The checksum field value for data whose field is zero: ~sum. */
uint16_t ref_csum(const void *data, size_t len);

/* IPv4 header checksum over hlen bytes (the field is treated as zero). */
uint16_t ref_ipv4_csum(const uint8_t *ip, size_t hlen);

/* TCP or UDP checksum with the IPv4 pseudo-header over len bytes of the
 * transport segment at l4 (its checksum field treated as zero). For UDP a
 * computed 0x0000 is returned as 0xffff (RFC 768). */
uint16_t ref_l4_csum(uint32_t saddr, uint32_t daddr, uint8_t proto, const uint8_t *l4,
		     size_t len);

/* Verification: 1 when the stored checksum makes the sum 0xffff. */
int ref_ipv4_ok(const uint8_t *ip, size_t hlen);
int ref_l4_ok(uint32_t saddr, uint32_t daddr, uint8_t proto, const uint8_t *l4, size_t len);
int ref_icmp_ok(const uint8_t *icmp, size_t len);

#endif
