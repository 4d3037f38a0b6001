/* The address plan derived from a configuration: public addresses by
 * index, subscriber addresses by index, block geometry, and the
 * deterministic (RFC 7422) forward and reverse mapping built on
 * include/cgnat_blocks.h. Used by the agent to fill the dataplane maps, by
 * cgnatctl forward/reverse, and by the tests. Addresses are host order. */
#ifndef CGNAT_ADDRPLAN_H
#define CGNAT_ADDRPLAN_H

#include <stdint.h>

#include "cgnat_blocks.h"
#include "config.h"

struct plan_prefix {
	uint32_t first;       /* first address */
	uint64_t size;        /* addresses in the prefix */
	uint64_t first_index; /* subscriber index of `first` */
};

struct addr_plan {
	uint32_t *pool;       /* public addresses, ascending */
	uint32_t n_pool;
	struct plan_prefix prefixes[CFG_MAX_PREFIXES]; /* ascending */
	int n_prefixes;
	uint64_t n_subscribers;
	struct cgnat_geometry geom;
	uint32_t port_max;
	int deterministic;
};

/* Build from a validated config. Returns 0, or -1 with a message in err. */
int addrplan_build(struct addr_plan *p, const struct cgnat_cfg *cfg, char *err, size_t errlen);
void addrplan_free(struct addr_plan *p);

/* Index of a public address, or -1. */
int64_t addrplan_pool_index(const struct addr_plan *p, uint32_t ip);

/* Subscriber index of an inside address, or -1 when it is not a subscriber. */
int64_t addrplan_subscriber_index(const struct addr_plan *p, uint32_t ip);

/* Inside address of subscriber index k; 0 on success, -1 if out of range. */
int addrplan_subscriber_addr(const struct addr_plan *p, uint64_t k, uint32_t *ip);

/* Deterministic mode only. forward: inside address -> public address and
 * its port range. reverse: public address and port -> inside address.
 * Both return 0, or -1 when there is no such subscriber/port. */
int addrplan_det_forward(const struct addr_plan *p, uint32_t inside, uint32_t *public_ip,
			 uint16_t *port_first, uint16_t *port_last);
int addrplan_det_reverse(const struct addr_plan *p, uint32_t public_ip, uint16_t port,
			 uint32_t *inside);

#endif
