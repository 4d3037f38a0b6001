/* Address-dependent filtering (RFC 4787 REQ-8, second option): inbound
 * packets reach a mapping only from addresses the subscriber has sent to
 * from it. Pool: four addresses of 203.0.113.0/24, so paired pooling (all
 * of a subscriber's mappings on one address) is visible. Hairpinning off:
 * a packet to a public endpoint of the pool leaves through the outside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tables.h"

static const char config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/16]\n"
	"pool:\n"
	"  addresses: [203.0.113.8/30]\n"
	"mode: pba\n"
	"allocation:\n"
	"  filtering: address-dependent\n"
	"  hairpinning: false\n"
	"limits:\n"
	"  max_sessions: 65536\n";

static const struct row rows[] = {
	{ "ADF: UDP out from A to server 1",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_a" }, .learn = "f_a",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "ADF: reply from the contacted server passes",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$f_a"), .payload = "r" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "ADF: another port of the contacted server passes (address-, not port-dependent)",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":5353", "$f_a"), .payload = "r" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "ADF: a host A never sent to is filtered",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV2 ":53", "$f_a"), .payload = "r" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_FILTERED, 1) } },
	{ "ADF: A sends to server 2 from the same port: same public endpoint, a peer is added",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV2 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_a" }, .learn = "f_a2",
	  .same_as = "f_a", .stats = { FWD_OUT, ST(PEER_CREATED, 1) } },
	{ "ADF: now server 2 passes",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV2 ":53", "$f_a"), .payload = "r" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "ADF: A sends to server 2 again: no second peer",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV2 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_a" },
	  .stats = { FWD_OUT } },
	{ "ADF: server 3 is still filtered",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV3 ":53", "$f_a"), .payload = "r" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_FILTERED, 1) } },
	{ "ADF: an ICMP error from a router A never contacted still reaches A",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$f_a", 11, 0) },
		   .in = { L_UDP("$f_a", SRV1 ":53"), .ttl = 1, .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "ADF: TCP SYN out from A",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_t" }, .learn = "f_t",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "ADF: SYN-ACK from the contacted server passes",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$f_t", TH_SYN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":40001" },
	  .stats = { FWD_IN } },
	{ "ADF: a SYN from another host to A's TCP mapping is filtered",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV2 ":80", "$f_t", TH_SYN) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_FILTERED, 1) } },
	{ "ADF: A's second UDP flow is on the same public address (paired pooling)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4002", SRV3 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_a3" }, .learn = "f_a3",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "ADF: B's first flow",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4000", SRV1 ":53"), .payload = "q" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_b" }, .learn = "f_b",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "hairpinning off: A to B's public endpoint leaves through the outside, translated",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", "$f_b"), .payload = "hi B" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$f_a" },
	  .stats = { FWD_OUT, ST(PEER_CREATED, 1) } },
};

const struct group fx_adf = GROUP("adf: address-dependent filtering, 4 pool addresses", config,
				  rows);
