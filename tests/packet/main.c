/* Packet tests: every dataplane program run through BPF_PROG_TEST_RUN on
 * fixture tables, in a private network namespace. See docs/TESTING.md,
 * "Packet tests". Run as root from anywhere: make packet */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "harness.h"
#include "tables.h"

int main(void)
{
	static const struct group *const groups[] = {
		&fx_pba, &fx_adf, &fx_det, &fx_quota_sessions, &fx_quota_ports,
		&fx_ring_pba, &fx_ring_session, &fx_gc, &fx_table, &fx_alloc, &fx_tcp,
	};
	const struct CMUnitTest *pre;
	size_t n_pre;
	int failed;

	if (world_setup())
		return 1;
	pre = selftests(&n_pre);
	failed = tables_run(pre, n_pre, groups, sizeof(groups) / sizeof(groups[0]));
	dp_down();
	return failed ? 1 : 0;
}
