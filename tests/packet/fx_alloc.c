/* The port block allocator end to end: fill a public address with blocks,
 * exhaust the pool (addresses) and a subscriber's paired address (ports),
 * then release through the agent's own expiry pass (user/gc.c): the port
 * is held first (RFC 6888 REQ-8), then freed, then the idle block goes
 * back to the pool, where the next subscriber gets it.
 *
 * One public address, ports 1024-1087, blocks of 16: exactly four blocks. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gc.h"
#include "tables.h"

static const char alloc_config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/16]\n"
	"pool:\n"
	"  addresses: [198.51.100.1]\n"
	"  ports: 1024-1087\n"
	"mode: pba\n"
	"allocation:\n"
	"  block_size: 16\n"
	"  max_blocks_per_subscriber: 2\n"
	"  block_idle_timeout: 5s\n"
	"timeouts:\n"
	"  port_hold: 2s\n"
	"  enforce_rfc_minimums: false\n"
	"limits:\n"
	"  max_sessions: 65536\n";

#define SUB_E "100.64.0.14"

static long long released_block = -1;

/* Expire B's mapping now (FORCE), then let the agent's pass run at
 * fabricated later times: hold over, block idle, block released. */
static void release_b(const struct row *r)
{
	const struct var *b = var_get("al_b");
	struct cgnat_gc_entry *e = &D.dp.gc_batch[0];
	struct gc g;
	uint32_t deleted = 0, now = gc_now(), slot;
	uint64_t word;

	(void)r;
	if (!b)
		fx_fail("no mapping learned for B");
	gc_entry_for(e, b, CGNAT_GC_FORCE);
	if (dp_run_gc(&D.dp, 1, &deleted, NULL) || deleted != 1)
		fx_fail("the expiry program did not delete B's mapping");
	slot = cgnat_port_slot((uint32_t)pool_index(b->pub_ip), b->slot, b->pub_port);
	if (CGNAT_SLOT_STATE(D.dp.slots[slot]) != CGNAT_SLOT_HELD)
		fx_fail("B's port is not held after expiry (slot %#x)", D.dp.slots[slot]);

	/* gc_init finds the held slot in the (reused-looking) table only for a
	 * reused dataplane; queue it as the agent's pass would have. */
	if (gc_init(&g, &D.dp, D.cfg.port_hold, now))
		fx_fail("gc_init failed");
	struct hold_entry h = { .slot = slot, .value = D.dp.slots[slot], .release_at = now + 2 };

	hold_queue_push(&g.holds, &h);
	gc_pass(&g, &D.cfg, NULL, now + 1);
	if (CGNAT_SLOT_STATE(D.dp.slots[slot]) != CGNAT_SLOT_HELD)
		fx_fail("B's port was freed before port_hold passed");
	gc_pass(&g, &D.cfg, NULL, now + 3);
	if (D.dp.slots[slot] != CGNAT_SLOT_FREE)
		fx_fail("B's port is not free after port_hold");
	word = D.dp.blocks[b->block];
	if (CGNAT_BLOCK_OWNER(word) != b->in_ip || CGNAT_BLOCK_USED(word) != 0)
		fx_fail("B's block should still be B's, unused (word %#llx)",
			(unsigned long long)word);
	gc_pass(&g, &D.cfg, NULL, now + 4);
	if (D.dp.blocks[b->block] == 0)
		fx_fail("B's block was released before block_idle_timeout");
	gc_pass(&g, &D.cfg, NULL, now + 10);
	if (D.dp.blocks[b->block] != 0)
		fx_fail("B's idle block was not released after block_idle_timeout");
	if (g.st.blocks_released != 1 || g.st.ports_released != 1)
		fx_fail("pass counted %llu blocks, %llu ports released",
			(unsigned long long)g.st.blocks_released,
			(unsigned long long)g.st.ports_released);
	if (D.dp.ip_free[0] != 1 || D.dp.global->free_blocks != 1)
		fx_fail("free block counts not restored");
	released_block = b->block;
	gc_free(&g);
	check_port_accounting();
}

static void e_got_b_block(const struct row *r)
{
	const struct var *e = var_get("al_e");

	(void)r;
	if (!e || e->block != released_block)
		fx_fail("E got block %lld, want the released block %lld", e ? e->block : -1,
			released_block);
}

/* One expiry batch over all of A's sixteen UDP mappings: every entry of
 * the mmapped batch must reach the program (the array's element stride is
 * the struct size rounded up to 8). */
static void expire_a_in_one_batch(const struct row *r)
{
	uint32_t deleted = 0, i, n = 0;
	char name[16];

	(void)r;
	for (i = 1; i <= 16; i++) {
		const struct var *v;
		struct cgnat_gc_entry *e = &D.dp.gc_batch[n];

		snprintf(name, sizeof(name), "al_a%u", i);
		v = var_get(name);
		if (!v)
			fx_fail("no mapping learned as %s", name);
		gc_entry_for(e, v, CGNAT_GC_FORCE);
		n++;
	}
	if (dp_run_gc(&D.dp, n, &deleted, NULL) || deleted != n)
		fx_fail("one batch of %u expired %u mappings", n, deleted);
	for (i = 0; i < n; i++)
		if (D.dp.gc_batch[i].result != CGNAT_GC_DELETED)
			fx_fail("batch entry %u: result %u", i, D.dp.gc_batch[i].result);
	check_port_accounting();
}

static void accounting_agrees(const struct row *r)
{
	(void)r;
	check_port_accounting();
}

#define A_FILL(n, port)                                                                       \
	{ "alloc: A fills its block, UDP flow " #n " of 16",                                   \
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":" #port, SRV1 ":53"), .payload = "f" } }, \
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_a" #n },               \
	  .learn = "al_a" #n, .stats = { FWD_OUT, NEW_MAP } }

static const struct row alloc_rows[] = {
	{ "alloc: A's first flow claims a block",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":7000", SRV1 ":53"), .payload = "a" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_a1" }, .learn = "al_a1",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "alloc: B gets the second block",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":7000", SRV1 ":53"), .payload = "b" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_b" }, .learn = "al_b",
	  .other_block_than = "al_a1", .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "alloc: C gets the third block",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_C ":7000", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_c" }, .learn = "al_c",
	  .other_block_than = "al_b", .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "alloc: D gets the fourth and last block",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_D ":7000", SRV1), .payload = "d" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_d" }, .learn = "al_d",
	  .other_block_than = "al_c", .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "alloc: E finds no address with a free block: addresses exhausted, ICMP 3/13",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_E ":7000", SRV1 ":53"), .payload = "e" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_ADDRS_EXHAUSTED, 1), ST(ICMP_SENT, 1) } },
	A_FILL(2, 7001), A_FILL(3, 7002), A_FILL(4, 7003), A_FILL(5, 7004), A_FILL(6, 7005),
	A_FILL(7, 7006), A_FILL(8, 7007), A_FILL(9, 7008), A_FILL(10, 7009), A_FILL(11, 7010),
	A_FILL(12, 7011), A_FILL(13, 7012), A_FILL(14, 7013), A_FILL(15, 7014), A_FILL(16, 7015),
	{ "alloc: A's 17th UDP port needs a second block, none left on its address: ports exhausted",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":7016", SRV1 ":53"), .payload = "x" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_PORTS_EXHAUSTED, 1), ST(ICMP_SENT, 1) } },
	{ "alloc: block words and per-protocol fills agree with the port slots",
	  .action = accounting_agrees },
	{ "alloc: A's full block still has TCP ports (each protocol has its own)",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":7016", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_at" }, .learn = "al_at",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "alloc: B's mapping expires, its port is held, then freed, then the block released",
	  .action = release_b },
	{ "alloc: E now gets the released block",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_E ":7000", SRV1 ":53"), .payload = "e" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$al_e" }, .learn = "al_e",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "alloc: E's block is the one B held", .action = e_got_b_block },
	{ "alloc: B comes back: no block left anywhere, addresses exhausted",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":7001", SRV1 ":53"), .payload = "b" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_ADDRS_EXHAUSTED, 1), ST(ICMP_SENT, 1) } },
	{ "alloc: one expiry batch of 16 entries expires all 16 of A's UDP mappings",
	  .action = expire_a_in_one_batch },
};

const struct group fx_alloc =
	GROUP("alloc: 1 address, 4 blocks of 16", alloc_config, alloc_rows);
