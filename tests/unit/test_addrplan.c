/* Address plan and deterministic (RFC 7422) arithmetic: forward and
 * reverse are inverses over whole prefixes and pools, including
 * non-contiguous ones, and every port of every subscriber range maps back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "addrplan.h"
#include "config.h"

#define BASE_DET                                                                 \
	"interfaces: {inside: in0, outside: out0}\n"                             \
	"mode: deterministic\n"

static struct cgnat_cfg cfg;
static struct cfg_error err;

static void load(const char *yaml)
{
	if (cfg_load_string("t.yaml", yaml, &cfg, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		fail();
	}
}

static uint32_t ip(int a, int b, int c, int d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
}

/* Every subscriber maps to a range inside the pool and the port range, no
 * two overlap, and reverse() of every port of the range gives it back. */
static void check_inverse(const struct addr_plan *p)
{
	uint64_t k, seen = 0;
	static uint8_t used[16][65536 / 8];

	memset(used, 0, sizeof(used));
	for (k = 0; k < p->n_subscribers; k++) {
		uint32_t inside, pub, back;
		uint16_t first, last;
		int64_t idx;
		unsigned port;

		assert_int_equal(addrplan_subscriber_addr(p, k, &inside), 0);
		assert_int_equal(addrplan_subscriber_index(p, inside), (int64_t)k);
		assert_int_equal(addrplan_det_forward(p, inside, &pub, &first, &last), 0);
		assert_int_equal(last - first + 1, p->geom.block_size);
		assert_true(first >= p->geom.port_min && last <= p->port_max);
		idx = addrplan_pool_index(p, pub);
		assert_true(idx >= 0 && idx < 16);
		for (port = first; port <= last; port++) {
			assert_false(used[idx][port / 8] & (1u << (port % 8)));
			used[idx][port / 8] |= (uint8_t)(1u << (port % 8));
			assert_int_equal(addrplan_det_reverse(p, pub, (uint16_t)port, &back), 0);
			assert_int_equal(back, inside);
		}
		seen++;
	}
	assert_int_equal(seen, p->n_subscribers);
}

static void test_contiguous(void **state)
{
	struct addr_plan p;
	char e[256];

	(void)state;
	load(BASE_DET "subscribers: {prefixes: [100.64.0.0/24]}\n"
		      "pool: {addresses: [198.51.100.0/30], ports: 1024-65535}\n");
	assert_int_equal(cfg.ports_per_subscriber, 1008);
	assert_int_equal(addrplan_build(&p, &cfg, e, sizeof(e)), 0);
	assert_int_equal(p.n_subscribers, 256);
	assert_int_equal(p.geom.blocks_per_ip, 64);
	check_inverse(&p);
	addrplan_free(&p);
}

static void test_non_contiguous(void **state)
{
	struct addr_plan p;
	char e[256];
	uint32_t pub;
	uint16_t first, last;

	(void)state;
	/* Two prefixes and three pool pieces, given out of order. */
	load(BASE_DET "subscribers: {prefixes: [100.64.9.0/25, 100.64.1.0/24]}\n"
		      "pool: {addresses: [203.0.113.200-203.0.113.202, 198.51.100.7, "
		      "198.51.100.64/30], ports: 2000-40000}\n");
	assert_int_equal(addrplan_build(&p, &cfg, e, sizeof(e)), 0);
	assert_int_equal(p.n_pool, 8);
	assert_int_equal(p.n_subscribers, 384);
	/* Pool order is by address; subscriber order by prefix address. */
	assert_int_equal(p.pool[0], ip(198, 51, 100, 7));
	assert_int_equal(p.pool[7], ip(203, 0, 113, 202));
	assert_int_equal(addrplan_subscriber_index(&p, ip(100, 64, 1, 0)), 0);
	assert_int_equal(addrplan_subscriber_index(&p, ip(100, 64, 9, 0)), 256);
	assert_int_equal(addrplan_subscriber_index(&p, ip(100, 64, 9, 128)), -1);
	check_inverse(&p);
	/* Consecutive subscribers spread over consecutive public addresses. */
	assert_int_equal(addrplan_det_forward(&p, ip(100, 64, 1, 0), &pub, &first, &last), 0);
	assert_int_equal(pub, ip(198, 51, 100, 7));
	assert_int_equal(first, 2000);
	assert_int_equal(addrplan_det_forward(&p, ip(100, 64, 1, 1), &pub, &first, &last), 0);
	assert_int_equal(pub, ip(198, 51, 100, 64));
	assert_int_equal(first, 2000);
	addrplan_free(&p);
}

static void test_reverse_outside(void **state)
{
	struct addr_plan p;
	char e[256];
	uint32_t in;

	(void)state;
	load(BASE_DET "subscribers: {prefixes: [100.64.0.0/28]}\n"
		      "pool: {addresses: [198.51.100.1], ports: 1024-2047}\n"
		      "allocation: {ports_per_subscriber: 60}\n");
	assert_int_equal(addrplan_build(&p, &cfg, e, sizeof(e)), 0);
	/* 17 ranges of 60 fit in 1024 ports; only 16 subscribers exist. */
	assert_int_equal(p.geom.blocks_per_ip, 17);
	check_inverse(&p);
	assert_int_equal(addrplan_det_reverse(&p, ip(198, 51, 100, 1), 1023, &in), -1);
	assert_int_equal(addrplan_det_reverse(&p, ip(198, 51, 100, 1), 1024 + 16 * 60, &in), -1);
	assert_int_equal(addrplan_det_reverse(&p, ip(198, 51, 100, 1), 2047, &in), -1);
	assert_int_equal(addrplan_det_reverse(&p, ip(198, 51, 100, 2), 1500, &in), -1);
	assert_int_equal(addrplan_det_forward(&p, ip(100, 64, 0, 16), &in, NULL, NULL), -1);
	addrplan_free(&p);
}

static void test_pba_geometry(void **state)
{
	struct addr_plan p;
	char e[256];

	(void)state;
	load("interfaces: {inside: in0, outside: out0}\n"
	     "subscribers: {prefixes: [100.64.0.0/10]}\n"
	     "pool: {addresses: [198.51.100.0/28, 203.0.113.10-203.0.113.20]}\n"
	     "allocation: {block_size: 500}\n");
	assert_int_equal(addrplan_build(&p, &cfg, e, sizeof(e)), 0);
	assert_int_equal(p.n_pool, 27);
	assert_int_equal(p.geom.blocks_per_ip, 64512 / 500);
	assert_int_equal(addrplan_pool_index(&p, ip(203, 0, 113, 10)), 16);
	assert_int_equal(addrplan_pool_index(&p, ip(203, 0, 113, 21)), -1);
	assert_int_equal(addrplan_subscriber_index(&p, ip(100, 127, 255, 255)), (1 << 22) - 1);
	assert_int_equal(addrplan_subscriber_index(&p, ip(100, 128, 0, 0)), -1);
	addrplan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contiguous),
		cmocka_unit_test(test_non_contiguous),
		cmocka_unit_test(test_reverse_outside),
		cmocka_unit_test(test_pba_geometry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
