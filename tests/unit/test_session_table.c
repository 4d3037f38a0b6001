/* Reading the session table from userspace: a key is found along its
 * walk past other keys and TOMBs, the walk stops at EMPTY and LOCKED,
 * slots being written are not reported, and walks visit each live mapping
 * once, in slices that resume where they stopped. The table is laid out
 * here by hand, following include/cgnat_sessions.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "session_table.h"

#define SLOTS 1024

static struct cgnat_session_slot slots[SLOTS];
static const struct session_table table = { slots, SLOTS };

static struct cgnat_mapping_key key(uint32_t ip, uint16_t port)
{
	struct cgnat_mapping_key k = { .inside_ip = ip, .inside_port = port, .proto = CGNAT_P_UDP };

	return k;
}

/* Where the dataplane would put k: the first EMPTY slot of its walk. */
static uint32_t place(struct cgnat_mapping_key k, uint16_t outside_port, uint32_t state)
{
	uint64_t bits = cgnat_session_key_bits(&k);
	uint32_t i = cgnat_session_home(bits, SLOTS - 1);

	while (slots[i].word != CGNAT_SW_EMPTY)
		i = (i + 1) & (SLOTS - 1);
	slots[i].word = bits | state;
	slots[i].m.outside_port = outside_port;
	slots[i].m.outside_ip = 0x01020304;
	return i;
}

static int reset(void **state)
{
	(void)state;
	for (int i = 0; i < SLOTS; i++)
		slots[i] = (struct cgnat_session_slot){ 0 };
	return 0;
}

/* Two keys with the same home slot: the second sits one further on. */
static struct cgnat_mapping_key collide_with(struct cgnat_mapping_key a)
{
	uint32_t home = cgnat_session_home(cgnat_session_key_bits(&a), SLOTS - 1);

	for (uint32_t p = 1;; p++) {
		struct cgnat_mapping_key b = key(a.inside_ip, (uint16_t)(a.inside_port + p));

		if (cgnat_session_home(cgnat_session_key_bits(&b), SLOTS - 1) == home)
			return b;
	}
}

static void test_finds_key_past_others_and_tombs(void **state)
{
	struct cgnat_mapping_key a = key(0x0a400064, 1000), b = collide_with(a);
	struct cgnat_mapping m;
	uint32_t ia;

	(void)state;
	ia = place(a, 40000, CGNAT_SS_LIVE);
	place(b, 40001, CGNAT_SS_LIVE);
	assert_int_equal(session_table_find(&table, &b, &m), 0);
	assert_int_equal(m.outside_port, 40001);
	/* a deleted: its slot is a TOMB and b is still found past it. */
	slots[ia].word = CGNAT_SW_TOMB;
	assert_int_equal(session_table_find(&table, &b, &m), 0);
	assert_int_equal(session_table_find(&table, &a, &m), -1);
	/* An EMPTY (or LOCKED) slot ends the walk: b is then unreachable. */
	slots[ia].word = CGNAT_SW_LOCKED;
	assert_int_equal(session_table_find(&table, &b, &m), -1);
	slots[ia].word = CGNAT_SW_EMPTY;
	assert_int_equal(session_table_find(&table, &b, &m), -1);
}

static void test_writing_slot_is_not_reported(void **state)
{
	struct cgnat_mapping_key a = key(0x0b400064, 7);
	struct cgnat_mapping_key got;
	struct cgnat_mapping m;
	uint32_t i;

	(void)state;
	i = place(a, 1234, CGNAT_SS_WRITING);
	assert_int_equal(session_table_find(&table, &a, &m), -1);
	assert_int_equal(session_table_read(&table, i, &got, &m), 0);
	slots[i].word = cgnat_session_key_bits(&a) | CGNAT_SS_LIVE;
	assert_int_equal(session_table_read(&table, i, &got, &m), 1);
	assert_int_equal(got.inside_ip, a.inside_ip);
	assert_int_equal(got.inside_port, a.inside_port);
	assert_int_equal(got.proto, a.proto);
	assert_int_equal(m.outside_port, 1234);
}

static int count_step(void *arg, const struct cgnat_mapping_key *k, const struct cgnat_mapping *m)
{
	(void)k;
	(void)m;
	++*(int *)arg;
	return 0;
}

static void test_walk_visits_each_live_mapping_once(void **state)
{
	int n = 0, slices = 0;
	uint32_t next = 0;

	(void)state;
	for (uint16_t p = 0; p < 300; p++)
		place(key(0x0c400064, p), p, p % 10 ? CGNAT_SS_LIVE : CGNAT_SS_WRITING);
	for (uint32_t i = 0; i < SLOTS; i++)
		if (slots[i].word == CGNAT_SW_EMPTY) {
			slots[i].word = CGNAT_SW_TOMB; /* a deleted mapping is not visited */
			break;
		}
	session_table_walk_all(&table, count_step, &n);
	assert_int_equal(n, 270);
	n = 0;
	do {
		next = session_table_walk(&table, next, 100, count_step, &n);
		slices++;
	} while (next);
	assert_int_equal(n, 270);
	assert_int_equal(slices, SLOTS / 100 + 1);
}

static void test_slot_count_is_power_of_two_twice_the_limit(void **state)
{
	(void)state;
	assert_int_equal(cgnat_session_slots(1), 1024);
	assert_int_equal(cgnat_session_slots(1024), 2048);
	assert_int_equal(cgnat_session_slots(1048576), 2097152);
	assert_int_equal(cgnat_session_slots(1000000), 2097152);
	assert_int_equal(cgnat_session_slots(67108864), 134217728ULL);
}

/* Keys of consecutive subscribers (which differ in the high byte of the
 * network-order address) and ports spread over the table. */
static void test_home_slots_spread(void **state)
{
	static uint32_t hits[SLOTS];
	uint32_t max = 0;

	(void)state;
	for (uint32_t s = 0; s < 64; s++)
		for (uint16_t p = 0; p < 16; p++) {
			struct cgnat_mapping_key k = key(0x00004064 | s << 24, (uint16_t)(1024 + p));
			uint32_t h = cgnat_session_home(cgnat_session_key_bits(&k), SLOTS - 1);

			if (++hits[h] > max)
				max = hits[h];
		}
	/* 1024 keys in 1024 slots: a fair hash puts at most a handful in one. */
	assert_true(max <= 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_finds_key_past_others_and_tombs, reset),
		cmocka_unit_test_setup(test_writing_slot_is_not_reported, reset),
		cmocka_unit_test_setup(test_walk_visits_each_live_mapping_once, reset),
		cmocka_unit_test_setup(test_slot_count_is_power_of_two_twice_the_limit, reset),
		cmocka_unit_test_setup(test_home_slots_spread, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
