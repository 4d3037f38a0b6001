/* The TCP mapping state (RFC 6146 section 3.5.2, RFC 7857 section 2.2),
 * which picks the mapping's timeout: the full handshake, closing with FIN
 * in both directions, simultaneous open, and a RST that keeps the state
 * (transitory, 4 minutes) without refreshing the mapping, then returns to
 * established when the connection turns out to be alive. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "tables.h"

static const char tcp_config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/16]\n"
	"pool:\n"
	"  addresses: [198.51.100.1]\n"
	"mode: pba\n"
	"limits:\n"
	"  max_sessions: 65536\n";

struct want {
	const char *var;
	uint8_t state;
};

static uint32_t remembered_last_seen;

static void mapping_of(const char *var, struct cgnat_mapping *m)
{
	const struct var *v = var_get(var);

	if (!v || mapping_lookup(v->in_ip, v->in_port, v->slot, m))
		fx_fail("no mapping for %s", var);
}

static void expect_state(const struct row *r)
{
	const struct want *w = r->arg;
	struct cgnat_mapping m;

	mapping_of(w->var, &m);
	if (m.tcp_state != w->state)
		fx_fail("%s: TCP state %u, want %u", w->var, m.tcp_state, w->state);
}

/* Let the clock move past the last refresh (last_seen has 1 s resolution). */
static void remember_and_wait(const struct row *r)
{
	struct cgnat_mapping m;

	(void)r;
	mapping_of("t_c", &m);
	remembered_last_seen = m.last_seen;
	usleep(1100 * 1000);
}

static void rst_did_not_refresh(const struct row *r)
{
	struct cgnat_mapping m;
	struct cgnat_config c;

	(void)r;
	mapping_of("t_c", &m);
	if (m.tcp_state != CGNAT_TCP_RST)
		fx_fail("state %u after RST, want RST", m.tcp_state);
	if (m.last_seen != remembered_last_seen)
		fx_fail("an outbound RST refreshed the mapping (%u -> %u)", remembered_last_seen,
			m.last_seen);
	if (config_read(&c) || cgnat_mapping_timeout(&c, CGNAT_P_TCP, m.tcp_state) != 240)
		fx_fail("a reset mapping must keep the 4-minute transitory timeout");
}

#define STATE(v, s) { "state of " v ": " #s, .action = expect_state, \
		      .arg = &(const struct want){ v, CGNAT_TCP_##s } }

static const struct row tcp_rows[] = {
	{ "tcp: A opens: SYN out",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":8000", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_a" }, .learn = "t_a",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	STATE("t_a", SYN_OUT),
	{ "tcp: SYN-ACK in",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$t_a", TH_SYN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":8000" },
	  .stats = { FWD_IN } },
	STATE("t_a", ESTABLISHED),
	{ "tcp: A closes: FIN out",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":8000", SRV1 ":80", TH_FIN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_a" }, .stats = { FWD_OUT } },
	STATE("t_a", FIN_OUT),
	{ "tcp: the server closes: FIN in",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$t_a", TH_FIN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":8000" },
	  .stats = { FWD_IN } },
	STATE("t_a", FIN_BOTH),
	{ "tcp: a new connection from the same port reuses the mapping",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":8000", SRV2 ":443", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_a" }, .learn = "t_a2",
	  .same_as = "t_a", .stats = { FWD_OUT } },
	STATE("t_a", SYN_OUT),

	{ "tcp: simultaneous open: B's SYN out",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_B ":8001", SRV1 ":9000", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_b" }, .learn = "t_b",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "tcp: simultaneous open: the peer's bare SYN in is let through (RFC 5382 REQ-2)",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":9000", "$t_b", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_B ":8001" },
	  .stats = { FWD_IN } },
	STATE("t_b", ESTABLISHED),

	{ "tcp: C opens", .prog = P_IN,
	  .pkt = { .o = { L_TCP(SUB_C ":8002", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_c" }, .learn = "t_c",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "tcp: C's SYN-ACK in", .prog = P_OUT,
	  .pkt = { .o = { L_TCP(SRV1 ":80", "$t_c", TH_SYN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_C ":8002" },
	  .stats = { FWD_IN } },
	{ "tcp: a second passes", .action = remember_and_wait },
	{ "tcp: C resets: RST out",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_C ":8002", SRV1 ":80", TH_RST) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_c" }, .stats = { FWD_OUT } },
	{ "tcp: the RST keeps the state for 4 minutes and did not refresh the mapping "
	  "(RFC 7857 REQ-4/REQ-6)", .action = rst_did_not_refresh },
	{ "tcp: a segment after the RST: the connection is alive after all",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$t_c", TH_ACK), .payload = "still here" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_C ":8002" },
	  .stats = { FWD_IN } },
	STATE("t_c", ESTABLISHED),
	{ "tcp: a mapping opened without SYN (state lost elsewhere) stays transitory",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_D ":8003", SRV1 ":80", TH_ACK), .payload = "x" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$t_d" }, .learn = "t_d",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	STATE("t_d", CLOSED),
	{ "tcp: ... until the far side answers",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$t_d", TH_ACK), .payload = "y" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_D ":8003" },
	  .stats = { FWD_IN } },
	STATE("t_d", ESTABLISHED),
};

const struct group fx_tcp = GROUP("tcp: state machine", tcp_config, tcp_rows);
