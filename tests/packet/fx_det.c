/* Deterministic NAT (RFC 7422): 256 subscribers (100.64.0.0/24) on four
 * addresses (198.51.100.0/30), ports 1024-65535: 64 subscribers per
 * address, 1008 ports each. Every learned mapping must lie in the range
 * addrplan_det_forward() computes, and addrplan_det_reverse() must name
 * the subscriber again. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tables.h"

static const char config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/24]\n"
	"pool:\n"
	"  addresses: [198.51.100.0/30]\n"
	"  ports: 1024-65535\n"
	"mode: deterministic\n"
	"limits:\n"
	"  max_sessions: 65536\n";

static void geometry_is_1008(const struct row *r)
{
	struct cgnat_config c;

	(void)r;
	if (config_read(&c))
		fx_fail("cannot read cgnat_config");
	if (c.mode != CGNAT_MODE_DETERMINISTIC || c.block_size != 1008 || c.blocks_per_ip != 64 ||
	    c.n_pool != 4 || c.det_subscribers != 256)
		fx_fail("config mode %u block_size %u blocks_per_ip %u n_pool %u subscribers %llu; "
			"want deterministic, 1008, 64, 4, 256", c.mode, c.block_size,
			c.blocks_per_ip, c.n_pool, (unsigned long long)c.det_subscribers);
}

static const struct row rows[] = {
	{ "deterministic: the dataplane has 1008 ports per subscriber", .action = geometry_is_1008 },
	{ "deterministic: A's UDP gets the address and range addrplan_det_forward computes",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$d_a" }, .learn = "d_a",
	  .det = 1, .stats = { FWD_OUT, NEW_MAP } },
	{ "deterministic: A's TCP in the same range",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$d_at" }, .learn = "d_at",
	  .det = 1, .stats = { FWD_OUT, NEW_MAP } },
	{ "deterministic: A's echo identifier in the same range",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_A ":4660", SRV1) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$d_ai" }, .learn = "d_ai",
	  .det = 1, .stats = { FWD_OUT, NEW_MAP } },
	{ "deterministic: subscriber B (next index, next address)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$d_b" }, .learn = "d_b",
	  .det = 1, .stats = { FWD_OUT, NEW_MAP } },
	{ "deterministic: subscriber 100.64.0.13",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_D ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$d_d" }, .learn = "d_d",
	  .det = 1, .stats = { FWD_OUT, NEW_MAP } },
	{ "deterministic: subscriber 100.64.0.2 (index 2)",
	  .prog = P_IN, .pkt = { .o = { L_UDP("100.64.0.2:4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$d_2" }, .learn = "d_2",
	  .det = 1, .stats = { FWD_OUT, NEW_MAP } },
	{ "deterministic: reply to A restored",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$d_a"), .payload = "r" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "deterministic: Time Exceeded about A's TCP restored",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$d_at", 11, 0) },
		   .in = { L_TCP("$d_at", SRV1 ":80", TH_SYN), .ttl = 1 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":40001" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "deterministic: a port without mapping is dropped",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "198.51.100.2:free"), .payload = "r" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "deterministic: 100.64.1.10 is outside the /24 prefix: spoofed",
	  .prog = P_IN, .pkt = { .o = { L_UDP("100.64.1.10:4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_SPOOFED, 1) } },
};

const struct group fx_det = GROUP("deterministic: 100.64.0.0/24 on 198.51.100.0/30", config,
				  rows);
