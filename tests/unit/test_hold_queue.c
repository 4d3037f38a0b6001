/* The port hold queue: FIFO release at the hold time, growth across the
 * ring's wrap point, and time comparison across the 32-bit clock wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hold_queue.h"

static void test_releases_in_order_when_due(void **state)
{
	struct hold_queue q;
	struct hold_entry e;
	uint32_t i;

	(void)state;
	hold_queue_init(&q);
	for (i = 0; i < 10; i++) {
		e = (struct hold_entry){ .slot = i, .value = 100 + i, .release_at = 1000 + i };
		assert_int_equal(hold_queue_push(&q, &e), 0);
	}
	assert_int_equal(hold_queue_pop_due(&q, 999, &e), 0);
	assert_int_equal(hold_queue_pop_due(&q, 1000, &e), 1);
	assert_int_equal(e.slot, 0);
	assert_int_equal(e.value, 100);
	assert_int_equal(hold_queue_pop_due(&q, 1000, &e), 0);
	for (i = 1; i < 10; i++) {
		assert_int_equal(hold_queue_pop_due(&q, 5000, &e), 1);
		assert_int_equal(e.slot, i);
	}
	assert_int_equal(hold_queue_pop_due(&q, 5000, &e), 0);
	assert_int_equal(hold_queue_len(&q), 0);
	hold_queue_free(&q);
}

static void test_grows_across_wrap(void **state)
{
	struct hold_queue q;
	struct hold_entry e;
	uint32_t i, next = 0;

	(void)state;
	hold_queue_init(&q);
	/* Interleave pushes and pops so the head moves before the ring grows. */
	for (i = 0; i < 5000; i++) {
		e = (struct hold_entry){ .slot = i, .release_at = i };
		assert_int_equal(hold_queue_push(&q, &e), 0);
		if (i % 3 == 0) {
			assert_int_equal(hold_queue_pop_due(&q, i, &e), 1);
			assert_int_equal(e.slot, next++);
		}
	}
	while (hold_queue_pop_due(&q, UINT32_MAX / 2, &e))
		assert_int_equal(e.slot, next++);
	assert_int_equal(next, 5000);
	hold_queue_free(&q);
}

static void test_clock_wrap(void **state)
{
	struct hold_queue q;
	struct hold_entry e = { .slot = 7, .release_at = 5 }; /* after the wrap */

	(void)state;
	hold_queue_init(&q);
	assert_int_equal(hold_queue_push(&q, &e), 0);
	assert_int_equal(hold_queue_pop_due(&q, UINT32_MAX - 10, &e), 0);
	assert_int_equal(hold_queue_pop_due(&q, 5, &e), 1);
	hold_queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_releases_in_order_when_due),
		cmocka_unit_test(test_grows_across_wrap),
		cmocka_unit_test(test_clock_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
