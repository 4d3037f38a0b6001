/* Fixture tables for the packet tests.
 *
 * A table is an array of struct row run in order against one dataplane
 * instance (struct group). A packet row describes one frame, the program
 * it is given to, and what must come out: the verdict, the output frame
 * (built independently by pktbuild.c and compared byte for byte), and
 * the exact change of every counter. Rows may use what earlier rows of the
 * same table learned: an outbound row with .learn = "a" records the public
 * endpoint the dataplane chose, and later rows write "$a" for it.
 *
 * Endpoint strings:
 *   "100.64.0.10:4000"    address and port (ICMP echo: the identifier)
 *   "192.0.2.10"          address only
 *   "$a"                  the public address:port learned as "a"
 *   "$a:53"               the address learned as "a", another port
 *   "198.51.100.1:free"   that pool address, a port whose slot is free for
 *                         the protocol of the packet (never allocated yet)
 *
 * Every packet row also checks, without being told:
 *   - counters: the listed deltas, RX_INSIDE/RX_OUTSIDE +1 for XDP rows,
 *     and 0 for every other counter;
 *   - cgnat_mappings / cgnat_peers grew by exactly the MAPPING_CREATED /
 *     PEER_CREATED delta (so a refused flow provably created nothing);
 *   - every checksum of a produced frame, with csum_ref.c;
 *   - for .learn rows: the mapping in cgnat_mappings, its port slot, that
 *     the port lies in a block the subscriber owns, port parity, and that
 *     all of a subscriber's mappings share one public address (paired
 *     pooling, RFC 4787 REQ-2).
 */
#ifndef PKT_FIXTURE_H
#define PKT_FIXTURE_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "pktbuild.h"

/* Addresses of the test world (DESIGN.md section 6). */
#define SUB_A "100.64.0.10"
#define SUB_B "100.64.0.11"
#define SUB_C "100.64.0.12"
#define SUB_D "100.64.0.13"
#define SRV1 "192.0.2.10"
#define SRV2 "192.0.2.20"
#define SRV3 "192.0.2.30"
#define ROUTER "192.0.2.254"
#define NAT_OUT "192.0.2.1"
#define NAT_IN "100.64.0.1"

struct l3_desc {
	const char *src, *dst;   /* endpoint strings */
	uint8_t proto;           /* PROTO_* */
	uint8_t flags;           /* TCP flags */
	uint8_t icmp_type, icmp_code;
	uint16_t mtu;            /* ICMP fragmentation needed */
	uint8_t ttl;             /* 0: 64 */
	uint8_t ihl;             /* 0: 5 */
	uint8_t tos;
	uint8_t doff;            /* TCP data offset; 0: 5 */
	uint8_t udp_csum0;       /* UDP without checksum */
	uint16_t frag;           /* IPv4 flags + fragment offset */
	uint16_t id;             /* IPv4 identification */
	const char *payload;     /* text; or payload_len pattern bytes */
	uint16_t payload_len;
};

struct poke {
	uint16_t off;
	uint8_t val;
	uint8_t set;
};
#define POKE(o, v) { .off = (o), .val = (v), .set = 1 }

struct pkt_desc {
	enum pkt_l2 l2;
	struct l3_desc o;
	struct l3_desc in;       /* ICMP error: the quoted packet (in.proto set) */
	int16_t quote;           /* bytes of in's transport part quoted; 0: all */
	/* malformations, applied to the built frame in this order */
	uint16_t l3_len;         /* set tot_len, fix the IPv4 checksum, cut the frame after it */
	uint16_t cut;            /* cut the frame to this length, headers unchanged */
	struct poke poke[3];     /* byte overrides */
	uint16_t pad_to;         /* Ethernet padding with zero bytes (also in the expected frame) */
	/* choose two payload bytes so the translated UDP checksum computes as
	 * 0x0000, which must then be sent as 0xffff */
	uint8_t zero_csum_out;
};

/* Short forms of the common packets, used inside .o = { ... } / .in = { ... } */
#define L_UDP(s, d) .src = (s), .dst = (d), .proto = PROTO_UDP
#define L_TCP(s, d, f) .src = (s), .dst = (d), .proto = PROTO_TCP, .flags = (f)
#define L_PING(s, d) .src = (s), .dst = (d), .proto = PROTO_ICMP, .icmp_type = 8
#define L_PONG(s, d) .src = (s), .dst = (d), .proto = PROTO_ICMP, .icmp_type = 0
#define L_ICMPERR(s, d, t, c) .src = (s), .dst = (d), .proto = PROTO_ICMP, .icmp_type = (t), \
			      .icmp_code = (c)
#define L_RAW(s, d, p) .src = (s), .dst = (d), .proto = (p)

enum out_kind {
	OUT_ANY = 0,          /* not compared (drops) */
	OUT_SAME,             /* the frame is untouched */
	OUT_FORWARD,          /* translated per .x, TTL - 1, MACs of the egress and next hop */
	OUT_XLATED,           /* translated per .x only (tc egress) */
	OUT_ICMP_PROHIBITED,  /* turned into ICMP type 3 code 13 back to the sender */
};

/* Replacements that make the expected frame from the input; NULL: unchanged. */
struct xlate {
	const char *src, *dst;        /* outer */
	const char *in_src, *in_dst;  /* the packet quoted by an ICMP error */
};

struct stat_exp {
	int stat1;  /* enum cgnat_stat + 1; 0 ends the list */
	int delta;
};
#define ST(name, d) { CGNAT_STAT_##name + 1, (d) }

/* Typical counter sets */
#define FWD_OUT ST(XLATE_OUT, 1), ST(REDIRECT, 1)
#define FWD_IN ST(XLATE_IN, 1), ST(REDIRECT, 1)
#define NEW_MAP ST(MAPPING_CREATED, 1)
#define NEW_BLOCK ST(BLOCK_ALLOCATED, 1)

struct row_run;

/* A's first UDP flow, SUB_A:4000 to SRV1:53: a new block and mapping,
 * learned as $var (for A_STILL_TRANSLATES after a refusal). */
#define A_FIRST_MAPPING(name, var)                                                          \
	{ name, .prog = P_IN,                                                               \
	  .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } },             \
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$" var }, .learn = var, \
	  .stats = { FWD_OUT, NEW_MAP, NEW_BLOCK } }

/* Two rows: A's UDP mapping from SUB_A:4000 to SRV1:53, learned as $var,
 * still translates out and back (after a refusal: nothing established is
 * lost). `when` starts both row names. */
#define A_STILL_TRANSLATES(when, var)                                                       \
	{ when ": A's established mapping still translates",                                \
	  .prog = P_IN, .pkt = { .o = { L_UDP(SUB_A ":4000", SRV1 ":53"), .payload = "q" } }, \
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .src = "$" var },             \
	  .stats = { FWD_OUT } },                                                           \
	{ when ": inbound to A's mapping still translates",                                 \
	  .prog = P_OUT, .pkt = { .o = { L_UDP(SRV1 ":53", "$" var), .payload = "r" } },    \
	  .verdict = XDP_REDIRECT, .out = OUT_FORWARD, .x = { .dst = SUB_A ":4000" },       \
	  .stats = { FWD_IN } }


struct row {
	const char *name;
	/* action rows: no packet, just this (reload, GC, loops); assert inside */
	void (*action)(const struct row *r);
	enum prog_kind prog;
	enum prog_kind tc_ingress; /* P_TC: received on P_IN/P_OUT's interface; 0: this host */
	struct pkt_desc pkt;
	uint32_t verdict;
	int kernel_refuses;      /* the test run itself must fail with EINVAL */
	enum out_kind out;
	struct xlate x;
	struct stat_exp stats[10];
	const char *learn;            /* record the translated source endpoint */
	const char *same_as;          /* ... and it must equal this earlier one (EIM) */
	const char *other_block_than; /* ... and lie in another block than this one */
	int det;                      /* ... and match addrplan_det_forward() */
	void (*check)(const struct row *r, const struct row_run *run);
	const void *arg;              /* for action/check */
};

/* What a check callback may look at. */
struct row_run {
	struct pkt_spec in_spec, want_spec;
	uint8_t in[PKT_MAX], out[PKT_MAX], want[PKT_MAX];
	size_t in_len, out_len, want_len;
	uint32_t verdict;
};

/* A learned mapping. Addresses network order, ports host order. */
struct var {
	char name[32];
	uint32_t pub_ip, in_ip;
	uint16_t pub_port, in_port;
	uint8_t slot;          /* enum cgnat_proto_slot */
	long long block;       /* global block id */
};

const struct var *var_get(const char *name);

/* One dataplane configuration and its table. */
struct group {
	const char *name;
	const char *config;    /* YAML besides interfaces and dataplane */
	const struct row *rows;
	size_t n_rows;
};
#define GROUP(n, cfg, rows) { (n), (cfg), (rows), sizeof(rows) / sizeof((rows)[0]) }

struct CMUnitTest;

/* Run the tests in pre, then every table, as one cmocka group: per table a
 * test loading its dataplane, one test per row, and a test tearing it
 * down. Returns the number of failed tests. */
int tables_run(const struct CMUnitTest *pre, size_t n_pre, const struct group *const *groups,
	       size_t n_groups);

/* Run a packet row outside a table (from an action); returns the run. */
const struct row_run *row_exec(const struct row *r);

/* Build and run a packet row without checking anything (loops in actions).
 * Returns 0 or -errno of the test run. */
int row_send(const struct row *r, struct row_run *run);

/* Helpers for actions and checks. */
void fx_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint8_t proto_slot(uint8_t proto);
/* One expiry work entry (cgnat_gc) for the mapping learned as v. */
void gc_entry_for(struct cgnat_gc_entry *e, const struct var *v, uint32_t flags);
/* Check that every port slot in use or held is counted in its block word
 * and the block belongs to someone: no port leaked by a refused flow. */
void check_port_accounting(void);

/* Send new UDP flows to SRV1:53 (flow i from the "ip:port" source_of
 * writes) until one is refused, at most max. Checks the refusal: ICMP 3/13
 * back with XDP_TX, refusal_stat and icmp_sent up by one, no mapping
 * created, the mappings that went out all in the table, no port leaked.
 * Returns how many went out; *before holds the counters from just before
 * the refused flow, *after those from after it. */
int fill_until_refused(void (*source_of)(int i, char *src, size_t len), int max,
		       int refusal_stat, uint64_t before[CGNAT_STAT_MAX],
		       uint64_t after[CGNAT_STAT_MAX]);

#endif
