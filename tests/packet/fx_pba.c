/* Main table: dynamic port block allocation, endpoint-independent mapping
 * and filtering, hairpinning, one public address (198.51.100.1) so that
 * every subscriber's block is a different block of the same address.
 * Covers translation both ways, ICMP errors, checksum corner cases, IP
 * options, malformed frames, unsolicited and spoofed traffic, TTL and
 * fragments, hairpinning and the tc egress program. */
#include <arpa/inet.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tables.h"

#define POOL1 "198.51.100.1"

static const char config[] =
	"subscribers:\n"
	"  prefixes: [100.64.0.0/16]\n"
	"pool:\n"
	"  addresses: [" POOL1 "]\n"
	"  ports: 1024-65535\n"
	"mode: pba\n"
	"allocation:\n"
	"  block_size: 256\n"
	"  max_blocks_per_subscriber: 8\n"
	"  port_parity: true\n"
	"  filtering: endpoint-independent\n"
	"  hairpinning: true\n"
	"limits:\n"
	"  max_sessions: 65536\n";

/* The translated UDP checksum computed as 0x0000 and must be sent as 0xffff. */
static void udp_csum_is_ffff(const struct row *r, const struct row_run *run)
{
	struct pkt_view v;

	(void)r;
	if (pkt_parse(run->out, run->out_len, &v) || v.o.proto != PROTO_UDP)
		fx_fail("output is not UDP");
	if (rd16(run->out + v.o.l4_off + 6) != 0xffff)
		fx_fail("UDP checksum 0x%04x, want 0xffff", rd16(run->out + v.o.l4_off + 6));
}

static void udp_csum_is_zero(const struct row *r, const struct row_run *run)
{
	struct pkt_view v;

	(void)r;
	if (pkt_parse(run->out, run->out_len, &v) || v.o.proto != PROTO_UDP)
		fx_fail("output is not UDP");
	if (rd16(run->out + v.o.l4_off + 6) != 0)
		fx_fail("UDP checksum 0x%04x, want 0 (none)", rd16(run->out + v.o.l4_off + 6));
}

/* The mapping named by arg reached ESTABLISHED (RFC 5382 timeouts). */
static void tcp_established(const struct row *r, const struct row_run *run)
{
	const struct var *v = var_get(r->arg);
	struct cgnat_mapping m;

	(void)run;
	if (!v || mapping_lookup(v->in_ip, v->in_port, CGNAT_P_TCP, &m))
		fx_fail("no mapping for $%s", (const char *)r->arg);
	if (m.tcp_state != CGNAT_TCP_ESTABLISHED)
		fx_fail("TCP state %u, want ESTABLISHED (%u)", m.tcp_state, CGNAT_TCP_ESTABLISHED);
}

static void out_mtu_200(const struct row *r)
{
	(void)r;
	if (world_out_mtu(200))
		fx_fail("cannot set the outside MTU");
}

static void out_mtu_1500(const struct row *r)
{
	(void)r;
	if (world_out_mtu(1500))
		fx_fail("cannot restore the outside MTU");
}

/* Port probes take their random draws one ahead per CPU (cgnat_port_draw),
 * so alloc_touch() can read the slot the first probe will claim. Plant a
 * draw on this CPU that picks a free port of A's block with A's parity;
 * the next new flow of A must take exactly that port and consume it. */
static struct {
	int cpu;
	uint32_t draw;
	uint16_t port;
	cpu_set_t before;
} planted;

static void plant_port_draw(const struct row *r)
{
	const struct cgnat_geometry *g = &D.dp.plan.geom;
	const struct var *a = var_get("a_udp");
	uint64_t vals[1024];
	uint32_t first, base, same, draw;
	int ncpus = port_draws(vals, 0);
	cpu_set_t one;

	(void)r;
	if (!a || ncpus <= 0)
		fx_fail("cannot read cgnat_port_draw");
	for (int c = 0; c < ncpus; c++)
		if (vals[c] == 0)
			fx_fail("CPU %d's pending port draw was never seeded", c);
	sched_getaffinity(0, sizeof(planted.before), &planted.before);
	planted.cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(planted.cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		fx_fail("cannot pin the test to CPU %d", planted.cpu);
	first = cgnat_block_first_port(g, (uint32_t)a->block);
	base = (4010 ^ first) & 1; /* the flow below comes from port 4010 */
	same = (g->block_size - base + 1) / 2;
	for (draw = 1000003;; draw += 7919) {
		planted.port = (uint16_t)(first + base + 2 * (draw % same));
		if (D.dp.slots[cgnat_port_slot((uint32_t)pool_index(a->pub_ip), CGNAT_P_UDP,
					       planted.port)] == CGNAT_SLOT_FREE)
			break;
		if (draw > 1000003 + 7919 * same)
			fx_fail("no free port of A's parity left in A's block");
	}
	planted.draw = draw;
	vals[planted.cpu] = draw;
	if (port_draws(vals, 1) < 0)
		fx_fail("cannot write cgnat_port_draw");
}

static void took_planted_port(const struct row *r, const struct row_run *run)
{
	const struct var *v = var_get(r->learn);
	uint64_t vals[1024];

	(void)run;
	sched_setaffinity(0, sizeof(planted.before), &planted.before);
	if (!v || v->pub_port != planted.port)
		fx_fail("the flow took port %u, the planted draw picks %u", v ? v->pub_port : 0,
			planted.port);
	if (port_draws(vals, 0) <= planted.cpu || vals[planted.cpu] == planted.draw)
		fx_fail("CPU %d's pending draw was not consumed", planted.cpu);
}

static const struct row rows[] = {
	/* ---- 1. outbound: mapping creation, EIM, blocks ---- */
	{ "UDP out: A's first flow gets a port in a new block of the pool address",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "query A" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" }, .learn = "a_udp",
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "UDP out: same inside ip:port to a second server keeps the public ip:port (EIM)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV2 ":123"), .payload_len = 48 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" }, .learn = "a_udp2",
	  .same_as = "a_udp", .stats = { FWD_OUT } },
	/* The next packet of a flow in the same second reuses the cached
	 * translation and route; the route holds only up to the largest
	 * packet the FIB accepted, so the MTU is still enforced. */
	{ "UDP out: A's first flow again: cached translation and route, same bytes",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload_len = 48 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" }, .stats = { FWD_OUT } },
	{ "(outside MTU 200)", .action = out_mtu_200 },
	{ "UDP out: the same flow, 278 bytes: bigger than the route carried, the FIB says too big",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload_len = 250 } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_FIB, 1) } },
	{ "(outside MTU 1500)", .action = out_mtu_1500 },
	{ "UDP out: the same flow, 278 bytes, MTU back: forwarded",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload_len = 250 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" }, .stats = { FWD_OUT } },
	{ "TCP SYN out from an odd port: odd public port in A's block",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_tcp" }, .learn = "a_tcp",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "ICMP echo request out: the identifier is mapped like a port",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_A ":4660", SRV1), .payload = "ping-0123456789" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_icmp" }, .learn = "a_icmp",
	  .stats = { FWD_OUT, NEW_MAP } },
	{ "UDP out from subscriber B: another block on the same public address",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4000", SRV1 ":53"), .payload = "query B" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$b_udp" }, .learn = "b_udp",
	  .other_block_than = "a_udp", .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } },
	{ "TCP SYN out from B",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_B ":5554", SRV2 ":443", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$b_tcp" }, .learn = "b_tcp",
	  .other_block_than = "a_tcp", .stats = { FWD_OUT, NEW_MAP } },
	{ "(plant this CPU's next port draw: a free port of A's block)", .action = plant_port_draw },
	{ "UDP out: A's next flow takes the port of its CPU's pending draw, and consumes it",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4010", SRV1 ":53"), .payload = "next" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_next" }, .learn = "a_next",
	  .stats = { FWD_OUT, NEW_MAP }, .check = took_planted_port },

	/* ---- 2. inbound replies ---- */
	{ "UDP reply in from the server: destination restored to A",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .payload = "answer" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "UDP in from the second server",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV2 ":123", "$a_udp"), .payload_len = 48 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "UDP in from a host A never contacted (endpoint-independent filtering)",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV3 ":9999", "$a_udp"), .payload = "p2p" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "TCP SYN-ACK in: destination restored",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$a_tcp", TH_SYN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":40001" },
	  .stats = { FWD_IN } },
	{ "TCP ACK out completes the handshake: same mapping, ESTABLISHED",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_ACK), .payload = "GET /" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_tcp" },
	  .stats = { FWD_OUT }, .check = tcp_established, .arg = "a_tcp" },
	{ "ICMP echo reply in: identifier and destination restored",
	  .prog = P_OUT, .pkt = { .o = { L_PONG(SRV1, "$a_icmp"), .payload = "ping-0123456789" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4660" },
	  .stats = { FWD_IN } },
	{ "UDP in to B's mapping goes to B",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$b_udp"), .payload = "answer B" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_B ":4000" },
	  .stats = { FWD_IN } },
	{ "TCP SYN-ACK in to B's mapping",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV2 ":443", "$b_tcp", TH_SYN | TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_B ":5554" },
	  .stats = { FWD_IN } },

	/* ---- 4. UDP checksum 0 and 0xffff ---- */
	{ "UDP out without checksum (0) stays 0",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .udp_csum0 = 1,
					.payload = "no checksum" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT }, .check = udp_csum_is_zero },
	{ "UDP in without checksum (0) stays 0",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .udp_csum0 = 1,
					.payload = "no checksum" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN }, .check = udp_csum_is_zero },
	{ "UDP out whose translated checksum computes to 0x0000 is sent as 0xffff",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload_len = 16 },
				 .zero_csum_out = 1 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT }, .check = udp_csum_is_ffff },
	{ "UDP in whose translated checksum computes to 0x0000 is sent as 0xffff",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .payload_len = 16 },
				  .zero_csum_out = 1 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN }, .check = udp_csum_is_ffff },
	{ "UDP out with odd payload length (checksum pads the last byte)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "odd" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT } },

	/* ---- 5. IP options ---- */
	{ "UDP out with IHL 6 (router alert): translated, option untouched",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ihl = 6, .payload = "opt" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT } },
	{ "UDP out with IHL 15 (40 bytes of record route)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ihl = 15, .payload = "opt" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT } },
	{ "TCP out with IHL 15",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_ACK), .ihl = 15,
					.payload = "data" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_tcp" },
	  .stats = { FWD_OUT } },
	{ "ICMP echo out with IHL 15",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_A ":4660", SRV1), .ihl = 15, .payload = "p" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_icmp" },
	  .stats = { FWD_OUT } },
	{ "UDP in with IHL 6",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .ihl = 6, .payload = "opt" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "UDP in with IHL 15",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .ihl = 15, .payload = "opt" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "TCP in with IHL 15",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$a_tcp", TH_ACK), .ihl = 15,
					 .payload = "200 OK" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":40001" },
	  .stats = { FWD_IN } },

	/* ---- 3. ICMP errors ---- */
	{ "Time Exceeded in, quoting A's whole UDP: outer dst, embedded src, both checksums",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 11, 0) },
		   .in = { L_UDP("$a_udp", SRV1 ":53"), .ttl = 1, .payload = "query A" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Time Exceeded in, quoting A's TCP SYN with the whole TCP header",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_tcp", 11, 0) },
		   .in = { L_TCP("$a_tcp", SRV1 ":80", TH_SYN), .ttl = 1 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":40001" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Time Exceeded in, quoting only 8 bytes of A's TCP (no checksum field)",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_tcp", 11, 0) },
		   .in = { L_TCP("$a_tcp", SRV1 ":80", TH_ACK), .ttl = 1, .payload = "GET /" },
		   .quote = 8 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":40001" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Time Exceeded in, quoting A's whole echo request: identifier and its checksum",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_icmp", 11, 0) },
		   .in = { L_PING("$a_icmp", SRV1), .ttl = 1, .payload = "ping-0123456789" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4660" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Fragmentation needed (3/4, next-hop MTU 1400) in, quoting A's whole UDP with DF",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 3, 4), .mtu = 1400 },
		   .in = { L_UDP("$a_udp", SRV1 ":53"), .frag = IPF_DF, .payload_len = 64 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Fragmentation needed in, quoting 8 bytes of A's TCP with DF",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_tcp", 3, 4), .mtu = 1280 },
		   .in = { L_TCP("$a_tcp", SRV1 ":80", TH_ACK), .frag = IPF_DF, .payload_len = 200 },
		   .quote = 8 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":40001" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Fragmentation needed in, quoting A's TCP with the whole TCP header and part of the data",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_tcp", 3, 4), .mtu = 1280 },
		   .in = { L_TCP("$a_tcp", SRV1 ":80", TH_ACK), .frag = IPF_DF, .payload_len = 200 },
		   .quote = 28 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":40001" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Port unreachable in from the server, quoting 8 bytes of A's UDP",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(SRV2, "$a_udp", 3, 3) },
		   .in = { L_UDP("$a_udp", SRV2 ":123"), .payload_len = 48 }, .quote = 8 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Host unreachable in, quoting A's UDP sent without checksum: stays 0",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 3, 1) },
		   .in = { L_UDP("$a_udp", SRV1 ":53"), .udp_csum0 = 1, .payload = "x" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Time Exceeded in with IP options on both headers (IHL 15 outside, IHL 6 quoted)",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 11, 0), .ihl = 15 },
		   .in = { L_UDP("$a_udp", SRV1 ":53"), .ihl = 6, .ttl = 1, .payload = "query A" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Port unreachable out from A, quoting the UDP it got: outer src and embedded dst public",
	  .prog = P_IN,
	  .pkt = { .o = { L_ICMPERR(SUB_A, SRV3, 3, 3) },
		   .in = { L_UDP(SRV3 ":9999", SUB_A ":4000"), .ttl = 63, .payload = "unwanted" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .src = "$a_udp", .in_dst = "$a_udp" },
	  .stats = { FWD_OUT, ST(XLATE_ICMP_ERROR, 1) } },
	{ "Destination unreachable out from A, quoting an inbound TCP segment in full",
	  .prog = P_IN,
	  .pkt = { .o = { L_ICMPERR(SUB_A, SRV1, 3, 3) },
		   .in = { L_TCP(SRV1 ":80", SUB_A ":40001", TH_ACK), .ttl = 63 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .src = "$a_tcp", .in_dst = "$a_tcp" },
	  .stats = { FWD_OUT, ST(XLATE_ICMP_ERROR, 1) } },
	{ "ICMP error in about a public port with no mapping: dropped",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, POOL1, 11, 0) },
		   .in = { L_UDP(POOL1 ":free", SRV1 ":53"), .ttl = 1 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_ICMP_NO_MAPPING, 1) } },
	{ "ICMP error out about an inside port with no mapping: dropped",
	  .prog = P_IN,
	  .pkt = { .o = { L_ICMPERR(SUB_A, SRV1, 3, 3) },
		   .in = { L_UDP(SRV1 ":53", SUB_A ":7777") } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_ICMP_NO_MAPPING, 1) } },
	{ "ICMP error in quoting an ICMP error: not translatable, dropped",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 11, 0) },
		   .in = { L_ICMPERR("$a_udp", SRV1, 3, 3), .payload_len = 28 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_UNSUPPORTED, 1) } },

	/* ---- 7. unsolicited inbound ---- */
	{ "unsolicited TCP SYN to a free pool port: dropped",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV3 ":5555", POOL1 ":free", TH_SYN) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "unsolicited UDP to a free pool port: dropped",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV3 ":5555", POOL1 ":free"), .payload = "hi" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "UDP to a pool port below the dynamic range (80): dropped",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV3 ":5555", POOL1 ":80"), .payload = "hi" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "TCP SYN to the port of A's UDP mapping: protocols are separate, dropped",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":53", "$a_udp", TH_SYN) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "unsolicited echo request to the pool address: dropped",
	  .prog = P_OUT, .pkt = { .o = { L_PING(SRV1 ":77", POOL1) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },
	{ "TCP SYN to the NAT's own outside address: passed to the kernel untouched",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV3 ":5555", NAT_OUT ":22", TH_SYN) } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_NOT_NAT, 1) } },
	{ "UDP to the NAT's own outside address: passed untouched",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV3 ":5555", NAT_OUT ":53"), .payload = "hi" } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_NOT_NAT, 1) } },
	{ "echo request to the NAT's own outside address: passed untouched",
	  .prog = P_OUT, .pkt = { .o = { L_PING(SRV3 ":77", NAT_OUT) } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_NOT_NAT, 1) } },

	/* ---- 8. anti-spoofing and traffic for the NAT itself ---- */
	{ "inside source 192.0.2.77 (no subscriber prefix): dropped as spoofed",
	  .prog = P_IN, .pkt = { .o = { L_UDP("192.0.2.77:4000", SRV1 ":53"), .payload = "x" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_SPOOFED, 1) } },
	{ "inside source 100.127.0.5 (outside 100.64.0.0/16): TCP SYN dropped as spoofed",
	  .prog = P_IN, .pkt = { .o = { L_TCP("100.127.0.5:4000", SRV1 ":80", TH_SYN) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_SPOOFED, 1) } },
	{ "inside ICMP error from a foreign source: dropped as spoofed",
	  .prog = P_IN,
	  .pkt = { .o = { L_ICMPERR("192.0.2.77", SRV1, 3, 3) },
		   .in = { L_UDP(SRV1 ":53", "192.0.2.77:4000") } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_SPOOFED, 1) } },
	{ "inside GRE from a foreign source: dropped as spoofed",
	  .prog = P_IN, .pkt = { .o = { L_RAW("192.0.2.77", SRV1, 47), .payload_len = 8 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_SPOOFED, 1) } },
	{ "GRE from a subscriber: dropped as untranslatable",
	  .prog = P_IN, .pkt = { .o = { L_RAW(SUB_A, SRV1, 47), .payload_len = 8 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_UNSUPPORTED, 1) } },
	{ "subscriber to the NAT's inside address: passed to the kernel untouched",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", NAT_IN ":53"), .payload = "dns?" } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_NOT_NAT, 1) } },
	{ "subscriber pings the NAT's inside address: passed untouched",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_A ":99", NAT_IN) } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_NOT_NAT, 1) } },
	{ "subscriber to another subscriber's inside address: routed by the kernel, untouched",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SUB_B ":4000"), .payload = "lan" } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_NOT_NAT, 1) } },

	/* ---- 9. TTL and fragments ---- */
	{ "TTL 1 from inside: passed untranslated (kernel sends Time Exceeded), no mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4444", SRV1 ":33434"), .ttl = 1 } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_TTL, 1) } },
	{ "TTL 1 from outside to a mapping: passed untranslated",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .ttl = 1 } },
	  .verdict = XDP_PASS, .out = OUT_SAME, .stats = { ST(PASS_TTL, 1) } },
	{ "TTL 2 from inside: forwarded with TTL 1",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 2 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT } },
	{ "non-first fragment from inside before its first fragment: dropped",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .frag = 185,
					.id = 0x4242, .payload_len = 64 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_FRAGMENT, 1) } },
	{ "non-first fragment from outside before its first fragment: dropped",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .frag = 185,
					 .id = 0x4343, .payload_len = 64 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_FRAGMENT, 1) } },
	{ "first fragment (MF, offset 0) from inside: translated with A's mapping",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .frag = IPF_MF,
					.id = 0x4242, .payload_len = 64 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT } },
	{ "its later fragment (MF, offset 185): the same public source address",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .frag = IPF_MF | 185,
					.id = 0x4242, .payload_len = 64 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { ST(XLATE_OUT, 1), ST(REDIRECT, 1), ST(XLATE_FRAGMENT, 1) } },
	{ "its last fragment (offset 193)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .frag = 193,
					.id = 0x4242, .payload_len = 24 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { ST(XLATE_OUT, 1), ST(REDIRECT, 1), ST(XLATE_FRAGMENT, 1) } },
	{ "a later fragment of another datagram (other id) still has no first fragment",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .frag = 185,
					.id = 0x4244, .payload_len = 64 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_FRAGMENT, 1) } },
	{ "first fragment from outside: translated",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .frag = IPF_MF,
					 .id = 0x4343, .payload_len = 64 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "its later fragment from outside: the same inside destination",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .frag = 185,
					 .id = 0x4343, .payload_len = 64 } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN, ST(XLATE_FRAGMENT, 1) } },

	/* ---- 6. malformed and non-IPv4 frames ---- */
	{ "13-byte frame: the kernel refuses to run XDP on less than an Ethernet header",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53") }, .cut = 13 },
	  .kernel_refuses = 1 },
	{ "Ethernet header only, ethertype IPv4: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53") }, .cut = 14 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "IPv4 header truncated to 10 bytes: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53") }, .cut = 24 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "IHL 4: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "x" },
				 .poke = { POKE(14, 0x44) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "IHL 15 in a frame holding 33 bytes of IPv4: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "hello" },
				 .poke = { POKE(14, 0x4f) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "tot_len 200 in a 47-byte frame: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "hello" },
				 .poke = { POKE(16, 0), POKE(17, 200) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "tot_len 16, shorter than the IPv4 header: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "hello" },
				 .poke = { POKE(16, 0), POKE(17, 16) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "version 6 in a frame with ethertype IPv4: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "hello" },
				 .poke = { POKE(14, 0x65) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "TCP header truncated to 10 bytes: malformed",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_SYN) }, .l3_len = 30 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "TCP data offset 4: malformed",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_ACK), .doff = 4 } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "UDP header truncated to 4 bytes: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53") }, .l3_len = 24 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "ICMP header truncated to 4 bytes: malformed",
	  .prog = P_IN, .pkt = { .o = { L_PING(SUB_A ":4660", SRV1) }, .l3_len = 24 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "TCP header truncated, from outside: malformed",
	  .prog = P_OUT, .pkt = { .o = { L_TCP(SRV1 ":80", "$a_tcp", TH_ACK) }, .l3_len = 30 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "UDP header truncated, from outside: malformed",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp") }, .l3_len = 24 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "IHL 4 from outside: malformed",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp"), .payload = "x" },
				  .poke = { POKE(14, 0x44) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "ICMP error in whose embedded IPv4 header is truncated (10 bytes): malformed",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 11, 0) },
		   .in = { L_UDP("$a_udp", SRV1 ":53") }, .l3_len = 20 + 8 + 10 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "ICMP error in whose embedded UDP header is cut to 4 bytes: malformed",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 11, 0) },
		   .in = { L_UDP("$a_udp", SRV1 ":53") }, .quote = 4 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "ICMP error in whose embedded TCP header is cut to 2 bytes: malformed",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_tcp", 11, 0) },
		   .in = { L_TCP("$a_tcp", SRV1 ":80", TH_SYN) }, .quote = 2 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "ICMP error in whose embedded header has IHL 4: malformed",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_udp", 11, 0) },
		   .in = { L_UDP("$a_udp", SRV1 ":53") }, .poke = { POKE(42, 0x44) } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "ICMP error out from A whose embedded header is truncated: malformed",
	  .prog = P_IN,
	  .pkt = { .o = { L_ICMPERR(SUB_A, SRV3, 3, 3) },
		   .in = { L_UDP(SRV3 ":9999", SUB_A ":4000") }, .l3_len = 20 + 8 + 12 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "UDP out in a frame with Ethernet padding (tot_len < frame): translated, padding kept",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "x" },
				 .pad_to = 60 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_udp" },
	  .stats = { FWD_OUT } },
	{ "TCP SYN out with Ethernet padding: translated",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_ACK) }, .pad_to = 60 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_tcp" },
	  .stats = { FWD_OUT } },
	{ "UDP in with Ethernet padding: translated, padding kept",
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$a_udp") }, .pad_to = 60 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },
	  .stats = { FWD_IN } },
	{ "UDP header cut by tot_len (4 bytes) in a padded 60-byte frame: malformed",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53") }, .l3_len = 24,
				 .pad_to = 60 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "TCP header cut by tot_len (10 bytes) in a padded 60-byte frame: malformed",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_ACK) }, .l3_len = 30,
				 .pad_to = 60 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "TCP header cut by tot_len to 14 bytes (data offset present) in a padded frame: malformed",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", SRV1 ":80", TH_ACK) }, .l3_len = 34,
				 .pad_to = 60 },
	  .verdict = XDP_DROP, .stats = { ST(DROP_MALFORMED, 1) } },
	{ "Time Exceeded in quoting 8 bytes of A's TCP, with a 12-byte trailer after tot_len",
	  .prog = P_OUT,
	  .pkt = { .o = { L_ICMPERR(ROUTER, "$a_tcp", 11, 0) },
		   .in = { L_TCP("$a_tcp", SRV1 ":80", TH_ACK), .ttl = 1, .payload = "GET /" },
		   .quote = 8, .pad_to = 70 + 12 },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .dst = SUB_A, .in_src = SUB_A ":40001" },
	  .stats = { FWD_IN, ST(XLATE_ICMP_ERROR, 1) } },
	{ "ARP on the inside: passed untouched",
	  .prog = P_IN, .pkt = { .l2 = L2_ARP }, .verdict = XDP_PASS, .out = OUT_SAME },
	{ "IPv6 on the inside: passed untouched",
	  .prog = P_IN, .pkt = { .l2 = L2_IPV6 }, .verdict = XDP_PASS, .out = OUT_SAME },
	{ "ARP on the outside: passed untouched",
	  .prog = P_OUT, .pkt = { .l2 = L2_ARP }, .verdict = XDP_PASS, .out = OUT_SAME },
	{ "IPv6 on the outside: passed untouched",
	  .prog = P_OUT, .pkt = { .l2 = L2_IPV6 }, .verdict = XDP_PASS, .out = OUT_SAME },

	/* ---- 11. hairpinning ---- */
	{ "hairpin: A to B's public UDP endpoint arrives at B from A's public endpoint",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", "$b_udp"), .payload = "hi B" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .src = "$a_udp", .dst = SUB_B ":4000" },
	  .stats = { ST(XLATE_HAIRPIN, 1), ST(REDIRECT, 1) } },
	{ "hairpin TCP: A's SYN to B's public TCP endpoint",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":40001", "$b_tcp", TH_SYN) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .src = "$a_tcp", .dst = SUB_B ":5554" },
	  .stats = { ST(XLATE_HAIRPIN, 1), ST(REDIRECT, 1) } },
	{ "hairpin from a new inside port: A's mapping is created first",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":6000", "$b_udp"), .payload = "new" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .learn = "a_hp",
	  .x = { .src = "$a_hp", .dst = SUB_B ":4000" },
	  .stats = { ST(XLATE_HAIRPIN, 1), ST(REDIRECT, 1), NEW_MAP } },
	{ "hairpin back: B answers at A's public endpoint",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_B ":4000", "$a_hp"), .payload = "re" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .src = "$b_udp", .dst = SUB_A ":6000" },
	  .stats = { ST(XLATE_HAIRPIN, 1), ST(REDIRECT, 1) } },
	{ "hairpin with IP options (IHL 15)",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", "$b_udp"), .ihl = 15, .payload = "o" } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD,
	  .x = { .src = "$a_udp", .dst = SUB_B ":4000" },
	  .stats = { ST(XLATE_HAIRPIN, 1), ST(REDIRECT, 1) } },
	{ "hairpin to a pool port without mapping: dropped",
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", POOL1 ":free"), .payload = "?" } },
	  .verdict = XDP_DROP, .stats = { ST(DROP_NO_MAPPING, 1) } },

	/* ---- 14. tc egress (packets the kernel forwarded) ---- */
	{ "tc: kernel-forwarded UDP from A reuses the mapping XDP made",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .payload = "via kernel" } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp" }, .learn = "a_udp_tc",
	  .same_as = "a_udp", .stats = { ST(TC_XLATE_OUT, 1) } },
	{ "tc: a new TCP flow gets a mapping in A's block",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_TCP(SUB_A ":41000", SRV1 ":80", TH_SYN), .ttl = 63 } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_tc" }, .learn = "a_tc",
	  .stats = { ST(TC_XLATE_OUT, 1), NEW_MAP } },
	{ "XDP reuses the mapping tc created",
	  .prog = P_IN, .pkt = { .o = { L_TCP(SUB_A ":41000", SRV1 ":80", TH_ACK) } },
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$a_tc" }, .learn = "a_tc2",
	  .same_as = "a_tc", .stats = { FWD_OUT } },
	{ "tc: echo request",
	  .prog = P_TC, .tc_ingress = P_IN, .pkt = { .o = { L_PING(SUB_A ":4660", SRV1), .ttl = 63 } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_icmp" },
	  .stats = { ST(TC_XLATE_OUT, 1) } },
	{ "tc: UDP without checksum stays 0",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .udp_csum0 = 1, .payload = "z" } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp" },
	  .stats = { ST(TC_XLATE_OUT, 1) }, .check = udp_csum_is_zero },
	{ "tc: translated UDP checksum computing to 0x0000 is sent as 0xffff",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .payload_len = 16 },
		   .zero_csum_out = 1 },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp" },
	  .stats = { ST(TC_XLATE_OUT, 1) }, .check = udp_csum_is_ffff },
	{ "tc: UDP with IHL 15",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .ihl = 15, .payload = "o" } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp" },
	  .stats = { ST(TC_XLATE_OUT, 1) } },
	{ "tc: port unreachable from A quoting an inbound UDP",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_ICMPERR(SUB_A, SRV3, 3, 3), .ttl = 63 },
		   .in = { L_UDP(SRV3 ":9999", SUB_A ":4000"), .ttl = 63, .payload = "unwanted" } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp", .in_dst = "$a_udp" },
	  .stats = { ST(TC_XLATE_OUT, 1) } },
	{ "tc: foreign source forwarded from the inside: shot as spoofed",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP("192.0.2.77:4000", SRV1 ":53"), .ttl = 63 } },
	  .verdict = TC_ACT_SHOT, .stats = { ST(DROP_SPOOFED, 1) } },
	{ "tc: the NAT's own packet (source 192.0.2.1) leaves untouched",
	  .prog = P_TC, .pkt = { .o = { L_UDP(NAT_OUT ":5353", SRV1 ":53"), .payload = "self" } },
	  .verdict = TC_ACT_OK, .out = OUT_SAME },
	{ "tc: a foreign source routed from outside to outside leaves untouched",
	  .prog = P_TC, .tc_ingress = P_OUT,
	  .pkt = { .o = { L_UDP(SRV3 ":5353", SRV1 ":53"), .ttl = 63 } },
	  .verdict = TC_ACT_OK, .out = OUT_SAME },
	{ "tc: non-first fragment from a subscriber before its first fragment: shot",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .frag = 185, .id = 0x5151,
			  .payload_len = 64 } },
	  .verdict = TC_ACT_SHOT, .stats = { ST(DROP_FRAGMENT, 1) } },
	{ "tc: first fragment of a datagram the kernel fragmented for the egress MTU",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .frag = IPF_MF, .id = 0x5152,
			  .payload_len = 64 } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp" },
	  .stats = { ST(TC_XLATE_OUT, 1) } },
	{ "tc: its later fragment gets the same public source",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63, .frag = 185, .id = 0x5152,
			  .payload_len = 64 } },
	  .verdict = TC_ACT_OK, .out = OUT_XLATED, .x = { .src = "$a_udp" },
	  .stats = { ST(TC_XLATE_OUT, 1), ST(XLATE_FRAGMENT, 1) } },
	{ "tc: GRE from a subscriber: shot as untranslatable",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_RAW(SUB_A, SRV1, 47), .ttl = 63, .payload_len = 8 } },
	  .verdict = TC_ACT_SHOT, .stats = { ST(DROP_UNSUPPORTED, 1) } },
	{ "tc: a subscriber's UDP with a truncated header must not leave untranslated",
	  .prog = P_TC, .tc_ingress = P_IN,
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .ttl = 63 }, .l3_len = 24 },
	  .verdict = TC_ACT_SHOT, .stats = { ST(DROP_MALFORMED, 1) } },
};

const struct group fx_pba = GROUP("pba: endpoint-independent, one pool address", config, rows);
