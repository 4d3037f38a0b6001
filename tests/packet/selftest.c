/* Self-tests of the test's own tools: the reference checksums against
 * published values, and the frame verifier against deliberately broken
 * frames (a verifier that accepts everything would make every row pass). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "csum_ref.h"
#include "fixture.h"
#include "pktbuild.h"
#include "tables.h"

/* RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
static void rfc1071_example(void **state)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(ref_sum(b, sizeof(b), 0), 0xddf2);
	assert_int_equal(ref_csum(b, sizeof(b)), 0x220d);
}

/* The usual textbook IPv4 header (192.168.0.1 -> 192.168.0.199, UDP). */
static void ipv4_header_example(void **state)
{
	static const uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				       0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t bad[20];

	(void)state;
	assert_int_equal(ref_ipv4_csum(h, 20), 0xb861);
	assert_true(ref_ipv4_ok(h, 20));
	memcpy(bad, h, 20);
	bad[8] = 0x3f; /* TTL changed, checksum not */
	assert_false(ref_ipv4_ok(bad, 20));
}

static void odd_length_pads_with_zero(void **state)
{
	static const uint8_t b[] = { 0x12, 0x34, 0x56 };

	(void)state;
	assert_int_equal(ref_sum(b, 3, 0), 0x1234 + 0x5600);
}

/* A UDP checksum that computes as 0x0000 is transmitted as 0xffff. */
static void udp_zero_is_ffff(void **state)
{
	uint8_t seg[10] = { 0x13, 0x88, 0x00, 0x35, 0x00, 0x0a, 0, 0, 0, 0 };
	uint32_t s = ip4("100.64.0.10"), d = ip4("192.0.2.10");
	uint8_t ph[12];
	uint16_t sum;

	(void)state;
	memcpy(ph, &s, 4);
	memcpy(ph + 4, &d, 4);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = 0;
	ph[11] = 10;
	sum = ref_sum(seg, sizeof(seg), ref_sum(ph, sizeof(ph), 0));
	wr16(seg + 8, (uint16_t)(0xffff - sum)); /* make the whole sum 0xffff */
	assert_int_equal(ref_l4_csum(s, d, 17, seg, sizeof(seg)), 0xffff);
	wr16(seg + 6, 0xffff);
	assert_true(ref_l4_ok(s, d, 17, seg, sizeof(seg)));
}

/* Every checksum of an ICMP error quoting a whole UDP datagram verifies,
 * and one flipped bit in any checksummed header is caught. */
static void verifier_catches_flips(void **state)
{
	struct pkt_spec s = { 0 };
	uint8_t f[PKT_MAX];
	char why[256];
	size_t n, i;
	static const size_t offs[] = {
		14 + 8,           /* outer TTL */
		14 + 20 + 1,      /* ICMP code */
		42 + 12,          /* embedded source address */
		42 + 20 + 1,      /* embedded UDP source port */
		42 + 20 + 8 + 2,  /* embedded payload */
	};

	(void)state;
	s.o.saddr = ip4("192.0.2.254");
	s.o.daddr = ip4("198.51.100.1");
	s.o.proto = PROTO_ICMP;
	s.o.icmp_type = 11;
	s.has_inner = 1;
	s.inner_l4_quote = -1;
	s.in.saddr = ip4("198.51.100.1");
	s.in.daddr = ip4("192.0.2.10");
	s.in.proto = PROTO_UDP;
	s.in.sport = 40000;
	s.in.dport = 53;
	s.in.payload_len = 5;
	memcpy(s.in.payload, "hello", 5);
	n = pkt_build(&s, f, sizeof(f));
	assert_int_equal(pkt_verify_csums(f, n, why, sizeof(why)), 4);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		f[offs[i]] ^= 0x10;
		assert_int_equal(pkt_verify_csums(f, n, why, sizeof(why)), -1);
		f[offs[i]] ^= 0x10;
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(rfc1071_example),
	cmocka_unit_test(ipv4_header_example),
	cmocka_unit_test(odd_length_pads_with_zero),
	cmocka_unit_test(udp_zero_is_ffff),
	cmocka_unit_test(verifier_catches_flips),
};

const struct CMUnitTest *selftests(size_t *n)
{
	*n = sizeof(tests) / sizeof(tests[0]);
	return tests;
}
