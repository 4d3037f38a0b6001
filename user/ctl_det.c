/* cgnatctl forward and reverse: where a subscriber is translated to, and
 * who is behind a public address and port. Deterministic mode answers
 * from the configuration alone (RFC 7422); the dynamic modes answer from
 * the live dataplane (for past times use cgnatctl lookup). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addrplan.h"
#include "cgnat_blocks.h"
#include "ctl.h"
#include "jsonw.h"

int ctl_forward(struct ctl *c, int argc, char **argv)
{
	struct addr_plan plan;
	uint32_t inside, pub;
	uint16_t first, last;
	char err[256], in[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN];
	struct jsonw w;
	int rc;

	if (argc != 2 || ctl_parse_endpoint(argv[1], &inside, NULL)) {
		fprintf(stderr, "usage: cgnatctl forward INSIDE_IP\n");
		return CTL_USAGE;
	}
	if (c->cfg.mode != CFG_MODE_DETERMINISTIC) {
		fprintf(stderr, "cgnatctl: forward needs mode: deterministic (this is %s); hint: "
				"cgnatctl subscriber %s shows the blocks it holds now\n",
			cfg_mode_name(c->cfg.mode), argv[1]);
		return CTL_ERROR;
	}
	if (addrplan_build(&plan, &c->cfg, err, sizeof(err))) {
		fprintf(stderr, "cgnatctl: %s\n", err);
		return CTL_ERROR;
	}
	rc = addrplan_det_forward(&plan, ntohl(inside), &pub, &first, &last);
	addrplan_free(&plan);
	if (rc) {
		fprintf(stderr, "cgnatctl: %s is not in subscribers.prefixes\n", argv[1]);
		return CTL_NO_MATCH;
	}
	pub = htonl(pub);
	inet_ntop(AF_INET, &inside, in, sizeof(in));
	inet_ntop(AF_INET, &pub, out, sizeof(out));
	if (c->json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w);
		jw_kstr(&w, "inside_ip", in);
		jw_kstr(&w, "outside_ip", out);
		jw_ku64(&w, "port_first", first);
		jw_ku64(&w, "port_last", last);
		jw_obj_end(&w);
	} else {
		printf("%s -> %s ports %u-%u\n", in, out, first, last);
	}
	return CTL_OK;
}

static int print_owner(struct ctl *c, uint32_t inside, uint32_t pub, int port, const char *how)
{
	char in[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN];
	struct jsonw w;

	inet_ntop(AF_INET, &inside, in, sizeof(in));
	inet_ntop(AF_INET, &pub, out, sizeof(out));
	if (c->json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w);
		jw_kstr(&w, "outside_ip", out);
		jw_ku64(&w, "outside_port", (uint64_t)port);
		jw_kstr(&w, "inside_ip", in);
		jw_kstr(&w, "source", how);
		jw_obj_end(&w);
	} else {
		printf("%s:%d -> %s (%s)\n", out, port, in, how);
	}
	return CTL_OK;
}

int ctl_reverse(struct ctl *c, int argc, char **argv)
{
	uint32_t pub, inside;
	int port;

	if (argc != 2 || ctl_parse_endpoint(argv[1], &pub, &port) || port < 0) {
		fprintf(stderr, "usage: cgnatctl reverse PUBLIC_IP:PORT\n");
		return CTL_USAGE;
	}
	if (c->cfg.mode == CFG_MODE_DETERMINISTIC) {
		struct addr_plan plan;
		char err[256];
		int rc;

		if (addrplan_build(&plan, &c->cfg, err, sizeof(err))) {
			fprintf(stderr, "cgnatctl: %s\n", err);
			return CTL_ERROR;
		}
		rc = addrplan_det_reverse(&plan, ntohl(pub), (uint16_t)port, &inside);
		addrplan_free(&plan);
		if (rc) {
			fprintf(stderr, "cgnatctl: %s belongs to no subscriber\n", argv[1]);
			return CTL_NO_MATCH;
		}
		return print_owner(c, htonl(inside), pub, port, "deterministic mapping");
	}
	if (ctl_need_dataplane(c))
		return CTL_ERROR;
	{
		struct cgnat_geometry g = { c->pin.cfg.port_min, c->pin.cfg.block_size,
					    c->pin.cfg.blocks_per_ip, c->pin.cfg.n_pool };
		int64_t idx = pinned_pool_index(&c->pin, pub);
		long long b = idx < 0 ? -1 : cgnat_block_of(&g, (uint32_t)idx, (uint32_t)port);
		uint64_t w = b < 0 || (uint64_t)b >= c->pin.n_blocks ? 0 : c->pin.blocks[b];

		if (!CGNAT_BLOCK_OWNER(w)) {
			fprintf(stderr, "cgnatctl: no subscriber holds %s now; hint: cgnatctl lookup "
					"%s --at TIME answers for past times\n", argv[1], argv[1]);
			return CTL_NO_MATCH;
		}
		return print_owner(c, CGNAT_BLOCK_OWNER(w), pub, port, "current port block owner");
	}
}
