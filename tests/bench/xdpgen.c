/* Traffic generator for make bench: runs tests/bench/xdp_gen.bpf.c with
 * BPF_PROG_RUN in live-frames mode, so frames leave through a veth at the
 * rate one CPU can build them (several Mpps), far above what any NAT under
 * test forwards. Unlike trafgen it never stalls when the receiver's ring is
 * full: the veth drops the excess and the NAT runs at its own capacity.
 *
 *   xdpgen (-i DEV --dmac MAC --smac MAC | --to DEV,DMAC,SMAC ...)
 *          (--flows FILE | --new SADDR,COUNT,SPORT,PORTS,DADDR,DPORT,DPORTS)
 *          (--secs S | --count N) [--first I] [--slices K]
 *
 * FILE holds one flow per line: "saddr sport daddr dport". --new makes
 * every frame a new flow: source address SADDR + i % COUNT, source port
 * SPORT + i % PORTS and destination port DPORT + i % DPORTS for frame i,
 * counting from I (default 0): rounds that continue a sequence never
 * repeat a tuple of an earlier round.
 * Prints "frames seconds" on success. With --slices K (and one or more
 * --to), sends S seconds to each target in turn, K times, the order
 * reversed every other time, and prints one line per slice:
 * "slice K DEV frames seconds taken", taken being what the receiver behind
 * DEV accepted into its ring (the veth's tx_packets): the rate at which
 * the NAT there processes packets, measured within milliseconds of its
 * neighbours' so that the host's changing speed hits all alike.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xdp_gen.skel.h"

#define FRAME_LEN 60 /* Ethernet + IPv4 + UDP + 18 bytes of payload */
#define IP_OFF 14
#define UDP_OFF (IP_OFF + 20)
#define CHUNK 65536 /* frames per BPF_PROG_RUN call */
#define GEN_MAX_FLOWS 65536 /* as in xdp_gen.bpf.c */

struct gen_flow {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
};

static int usage(void)
{
	fprintf(stderr, "usage: xdpgen (-i DEV --dmac MAC --smac MAC | --to DEV,DMAC,SMAC ...) "
			"(--flows FILE | --new SADDR,COUNT,SPORT,PORTS,DADDR,DPORT,DPORTS) "
			"(--secs S | --count N) [--first I] [--slices K]\n");
	return 2;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* Unfolded one's-complement sum of 16-bit words as the CPU reads them:
 * the BPF side adds its per-flow words the same way and folds. */
static uint32_t word_sum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	uint16_t w;

	for (size_t i = 0; i + 1 < len; i += 2) {
		memcpy(&w, p + i, 2);
		s += w;
	}
	return s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read FILE into flows[]; returns how many (0 on error). */
static uint32_t read_flows(const char *path, struct gen_flow *flows, uint32_t max)
{
	FILE *f = fopen(path, "r");
	char sa[64], da[64];
	unsigned int sp, dp;
	uint32_t n = 0;

	if (!f) {
		fprintf(stderr, "xdpgen: %s: %s\n", path, strerror(errno));
		return 0;
	}
	while (fscanf(f, "%63s %u %63s %u", sa, &sp, da, &dp) == 4) {
		struct gen_flow *fl = &flows[n];

		if (n >= max || inet_pton(AF_INET, sa, &fl->saddr) != 1 ||
		    inet_pton(AF_INET, da, &fl->daddr) != 1 || sp > 65535 || dp > 65535) {
			fprintf(stderr, "xdpgen: %s: bad flow at line %u\n", path, n + 1);
			fclose(f);
			return 0;
		}
		fl->sport = htons((uint16_t)sp);
		fl->dport = htons((uint16_t)dp);
		n++;
	}
	fclose(f);
	if (!n)
		fprintf(stderr, "xdpgen: %s: no flows\n", path);
	return n;
}

struct target {
	const char *dev;
	unsigned int ifindex;
	struct xdp_gen *skel;
	struct xdp_md ctx;
};

/* Frames the veth handed to its peer's receive ring: what the NAT behind
 * it took in (its ring was full for the rest). */
static unsigned long long tx_packets(const char *dev)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_packets", dev);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* One generator program per target: its interface and MACs are load-time
 * constants, like everything else the frame builder reads. */
static int target_open(struct target *t, const uint8_t *dmac, const uint8_t *smac,
		       const struct gen_flow *table, uint32_t n_flows, const char *new_spec,
		       unsigned long long first)
{
	uint8_t tmpl[FRAME_LEN] = { 0 };
	uint8_t *ip = tmpl + IP_OFF, *udp = tmpl + UDP_OFF;
	uint16_t ip_len = htons(FRAME_LEN - IP_OFF), udp_len = htons(FRAME_LEN - UDP_OFF);
	uint16_t proto = htons(IPPROTO_UDP);
	struct xdp_gen *skel;

	t->ifindex = if_nametoindex(t->dev);
	if (!t->ifindex) {
		fprintf(stderr, "xdpgen: no interface %s\n", t->dev);
		return -1;
	}
	skel = xdp_gen__open();
	if (!skel)
		return -1;
	t->skel = skel;
	skel->rodata->out_ifindex = t->ifindex;
	memcpy((void *)skel->rodata->dmac, dmac, 6);
	memcpy((void *)skel->rodata->smac, smac, 6);
	skel->rodata->ip_len = FRAME_LEN - IP_OFF;
	if (new_spec) {
		char sa[64], da[64];
		unsigned int count_a, sp, ports, dp, dports;
		struct in_addr a, d;

		if (sscanf(new_spec, "%63[^,],%u,%u,%u,%63[^,],%u,%u", sa, &count_a, &sp, &ports, da,
			   &dp, &dports) != 7 ||
		    inet_pton(AF_INET, sa, &a) != 1 || inet_pton(AF_INET, da, &d) != 1 || !count_a ||
		    !ports || sp + ports > 65536 || !dports || dp + dports > 65536) {
			fprintf(stderr, "xdpgen: bad --new %s\n", new_spec);
			return -1;
		}
		skel->rodata->new_saddr_base = ntohl(a.s_addr);
		skel->rodata->new_saddr_count = count_a;
		skel->rodata->new_sport_lo = sp;
		skel->rodata->new_sport_count = ports;
		skel->rodata->new_daddr = d.s_addr;
		skel->rodata->new_dport_lo = dp;
		skel->rodata->new_dport_count = dports;
	}
	/* The template: constant fields set, per-flow fields (addresses,
	 * ports, checksums) zero, so their sums are the fixed parts. */
	ip[0] = 0x45;
	memcpy(ip + 2, &ip_len, 2);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(udp + 4, &udp_len, 2);
	memset(udp + 8, 0x41, FRAME_LEN - UDP_OFF - 8);
	skel->rodata->ip_csum_fixed = word_sum(ip, 20);
	skel->rodata->udp_csum_fixed = word_sum(udp, FRAME_LEN - UDP_OFF) + proto + udp_len;
	skel->rodata->n_flows = n_flows;
	if (xdp_gen__load(skel))
		return -1;
	skel->bss->frame_no = first;
	for (uint32_t i = 0; i < n_flows; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.gen_flows), &i, &table[i], BPF_ANY))
			return -1;
	t->ctx.ingress_ifindex = t->ifindex;
	t->ctx.data_end = FRAME_LEN;
	return 0;
}

/* Send through t for secs seconds or count frames; returns frames sent,
 * or -1. *elapsed gets the time it took. */
static long long target_send(struct target *t, double secs, unsigned long long count,
			     double *elapsed)
{
	/* Every header field is rewritten by the program; the payload stays. */
	static uint8_t frame[FRAME_LEN];
	int fd = bpf_program__fd(t->skel->progs.xdp_gen);
	unsigned long long sent = 0;
	double t0 = now_s(), t1 = t0;

	memset(frame + UDP_OFF + 8, 0x41, FRAME_LEN - UDP_OFF - 8);
	while (secs > 0 ? t1 - t0 < secs : sent < count) {
		unsigned long long n = CHUNK;

		if (count && count - sent < n)
			n = count - sent;
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = sizeof(frame),
			    .ctx_in = &t->ctx, .ctx_size_in = sizeof(t->ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = (int)n,
			    .batch_size = 64);
		if (bpf_prog_test_run_opts(fd, &run)) {
			fprintf(stderr, "xdpgen: BPF_PROG_RUN: %s\n", strerror(errno));
			return -1;
		}
		sent += n;
		t1 = now_s();
	}
	*elapsed = t1 - t0;
	return (long long)sent;
}

#define MAX_TARGETS 8

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dmac", required_argument, 0, 'd' }, { "smac", required_argument, 0, 's' },
		{ "flows", required_argument, 0, 'f' }, { "new", required_argument, 0, 'n' },
		{ "secs", required_argument, 0, 't' },  { "count", required_argument, 0, 'c' },
		{ "first", required_argument, 0, 'F' }, { "to", required_argument, 0, 'T' },
		{ "slices", required_argument, 0, 'S' },
		{ 0, 0, 0, 0 },
	};
	static struct gen_flow table[GEN_MAX_FLOWS];
	struct target targets[MAX_TARGETS] = { 0 };
	uint8_t dmacs[MAX_TARGETS][6], smacs[MAX_TARGETS][6];
	const char *flows = 0, *new_spec = 0;
	int n_targets = 0, have_dmac = 0, have_smac = 0, slices = 0, o, i, rc = 0;
	double secs = 0;
	unsigned long long count = 0, first = 0;
	uint32_t n_flows = 0;

	while ((o = getopt_long(argc, argv, "i:", opts, 0)) != -1) {
		switch (o) {
		case 'i':
			if (n_targets)
				return usage();
			targets[n_targets++].dev = optarg;
			break;
		case 'd': have_dmac = parse_mac(optarg, dmacs[0]) == 0; break;
		case 's': have_smac = parse_mac(optarg, smacs[0]) == 0; break;
		case 'T': {
			/* DEV,DMAC,SMAC */
			char *c1 = strchr(optarg, ','), *c2 = c1 ? strchr(c1 + 1, ',') : 0;

			if (!c2 || n_targets >= MAX_TARGETS)
				return usage();
			*c1 = *c2 = 0;
			if (parse_mac(c1 + 1, dmacs[n_targets]) || parse_mac(c2 + 1, smacs[n_targets]))
				return usage();
			targets[n_targets++].dev = optarg;
			have_dmac = have_smac = 1;
			break;
		}
		case 'f': flows = optarg; break;
		case 'n': new_spec = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'c': count = strtoull(optarg, 0, 10); break;
		case 'F': first = strtoull(optarg, 0, 10); break;
		case 'S': slices = atoi(optarg); break;
		default: return usage();
		}
	}
	if (!n_targets || !have_dmac || !have_smac || !flows == !new_spec ||
	    (secs > 0) == (count > 0) || (slices > 0 && (n_targets < 1 || count)))
		return usage();
	if (flows && !(n_flows = read_flows(flows, table, GEN_MAX_FLOWS)))
		return 1;
	for (i = 0; i < n_targets && !rc; i++)
		if (target_open(&targets[i], dmacs[i], smacs[i], table, n_flows, new_spec, first))
			rc = 1;
	if (!rc && slices > 0) {
		/* Rotation: each slice sends to every target in turn, the order
		 * reversed every other slice, and reports what each took in. */
		for (int s = 0; s < slices && !rc; s++) {
			for (int k = 0; k < n_targets && !rc; k++) {
				struct target *t = &targets[s % 2 ? n_targets - 1 - k : k];
				unsigned long long a = tx_packets(t->dev), b;
				double el;
				long long sent = target_send(t, secs, 0, &el);

				b = tx_packets(t->dev);
				if (sent < 0)
					rc = 1;
				else
					printf("slice %d %s %lld %.6f %llu\n", s + 1, t->dev, sent, el, b - a);
			}
		}
	} else if (!rc) {
		double el;
		long long sent = target_send(&targets[0], secs, count, &el);

		if (sent < 0)
			rc = 1;
		else
			printf("%lld %.6f\n", sent, el);
	}
	for (i = 0; i < n_targets; i++)
		xdp_gen__destroy(targets[i].skel);
	return rc;
}
