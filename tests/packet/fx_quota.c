/* Per-subscriber quotas (RFC 6888 REQ-4/5): the flow over the limit is
 * refused with ICMP destination unreachable, code 13, sent back with
 * XDP_TX; nothing is created and nothing existing is evicted. With
 * limits.icmp_error_rate 0 the refusal is silent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tables.h"

#define SESSIONS_CONFIG(rate)                 \
	"subscribers:\n"                      \
	"  prefixes: [100.64.0.0/16]\n"       \
	"pool:\n"                             \
	"  addresses: [198.51.100.1]\n"       \
	"mode: pba\n"                         \
	"limits:\n"                           \
	"  max_sessions: 65536\n"             \
	"  max_sessions_per_subscriber: 2\n"  \
	"  icmp_error_rate: " rate "\n"

static void silent_refusals(const struct row *r)
{
	(void)r;
	if (dp_reload(SESSIONS_CONFIG("0")))
		fx_fail("reload with icmp_error_rate 0 failed");
}

/* A holds exactly its two sessions: nothing was evicted for the others. */
static void a_keeps_two(const struct row *r)
{
	struct cgnat_subscriber s;
	const struct var *u = var_get("q_a1"), *t = var_get("q_a2");
	struct cgnat_mapping m;

	(void)r;
	if (subscriber_lookup(ip4(SUB_A), &s))
		fx_fail("no subscriber entry for A");
	if (s.sessions != 2)
		fx_fail("A has %u sessions, want 2", s.sessions);
	if (!u || !t || mapping_lookup(u->in_ip, u->in_port, u->slot, &m) ||
	    mapping_lookup(t->in_ip, t->in_port, t->slot, &m))
		fx_fail("one of A's first two mappings is gone");
	check_port_accounting();
}

static const struct row session_rows[] = {
	{ "quota: A's first session (UDP)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "1" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$q_a1" }, .learn = "q_a1",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "quota: A's second session (TCP)",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":4001", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$q_a2" }, .learn = "q_a2",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "quota: A's third session is over max_sessions_per_subscriber 2: ICMP 3/13 back",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4002", SRV1 ":53"), .payload = "third" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_SESSIONS, 1), ST(ICMP_SENT, 1) } },
	{ "quota: over the limit with IHL 15: the reply quotes 60 header bytes + 8",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4003", SRV1 ":53"), .ihl = 15,
					.payload = "options" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_SESSIONS, 1), ST(ICMP_SENT, 1) } },
	{ "quota: over the limit, TCP SYN",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":4005", SRV2 ":443", TH_SYN) } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_SESSIONS, 1), ST(ICMP_SENT, 1) } },
	{ "quota: over the limit, echo request",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_A ":77", SRV1), .payload = "ping" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_SESSIONS, 1), ST(ICMP_SENT, 1) } },
	{ "quota: A's existing UDP session is still translated",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "again" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$q_a1" }, .learn = "q_a1b",
	  .same_as = "q_a1", .stats = { FWD_OUT } },
	{ "quota: inbound to A's existing TCP session is still translated",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$q_a2", TH_SYN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4001" },
	  .stats = { FWD_IN } },
	{ "quota: B is not limited by A's quota",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4002", SRV1 ":53"), .payload = "B" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$q_b" }, .learn = "q_b",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "quota: a hairpinned new flow of A over the limit is refused the same way",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4006", "$q_b"), .payload = "to B" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_SESSIONS, 1), ST(ICMP_SENT, 1) } },
	{ "quota: A still holds its two sessions, ports accounted", .action = a_keeps_two },
	{ "reload with limits.icmp_error_rate 0", .action = silent_refusals },
	{ "quota with icmp_error_rate 0: the refused flow is dropped, no ICMP",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4004", SRV1 ":53"), .payload = "quiet" } },
	  .verdict = XDP_DROP,
	  .stats = { ST(DROP_QUOTA_SESSIONS, 1), ST(ICMP_RATE_LIMITED, 1) } },
	{ "quota with icmp_error_rate 0: existing sessions still translated",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "again" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$q_a1" },
	  .stats = { FWD_OUT } },
};

const struct group fx_quota_sessions =
	GROUP("quota: max_sessions_per_subscriber 2", SESSIONS_CONFIG("100"), session_rows);

/* ---- ports: one block of 8 ports per subscriber ---- */

static const char ports_config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/16]\n"
	"pool:\n"
	"  addresses: [198.51.100.1]\n"
	"mode: pba\n"
	"allocation:\n"
	"  block_size: 8\n"
	"  max_blocks_per_subscriber: 1\n"
	"limits:\n"
	"  max_sessions: 65536\n";

static void accounting(const struct row *r)
{
	(void)r;
	check_port_accounting();
}

#define PORT_ROW(n, port)                                                                     \
	{ "port quota: A's UDP flow " #n " of 8 fits in its one block",                        \
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":" #port, SRV1 ":53"), .payload = "p" } }, \
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$qp" #n },                 \
	  .learn = "qp" #n, .stats = { FWD_OUT, NEW_MAP } }

static const struct row port_rows[] = {
	{ "port quota: A's UDP flow 1 of 8 allocates its one block",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":5000", SRV1 ":53"), .payload = "p" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$qp1" }, .learn = "qp1",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	PORT_ROW(2, 5001), PORT_ROW(3, 5002), PORT_ROW(4, 5003), PORT_ROW(5, 5004),
	PORT_ROW(6, 5005), PORT_ROW(7, 5006), PORT_ROW(8, 5007),
	{ "port quota: the 9th port is over the quota (1 block of 8): ICMP 3/13 back",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":5008", SRV1 ":53"), .payload = "p" } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_PORTS, 1), ST(ICMP_SENT, 1) } },
	{ "port quota: TCP counts against the same port quota",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":6000", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_TX, .out = OUT_ICMP_PROHIBITED,
	  .stats = { ST(DROP_QUOTA_PORTS, 1), ST(ICMP_SENT, 1) } },
	{ "port quota: A's first mapping still translates",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":5000", SRV2 ":53"), .payload = "p" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$qp1" }, .learn = "qp1b",
	  .same_as = "qp1", .stats = { FWD_OUT } },
	{ "port quota: inbound to A's last mapping still translates",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$qp8"), .payload = "r" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":5007" },
	  .stats = { FWD_IN } },
	{ "port quota: B gets a block of its own",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":5000", SRV1 ":53"), .payload = "p" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$qpb" }, .learn = "qpb",
	  .other_block_than = "qp1", .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "port quota: every used port slot is counted in its block", .action = accounting },
};

const struct group fx_quota_ports =
	GROUP("quota: block_size 8, max_blocks_per_subscriber 1", ports_config, port_rows);
