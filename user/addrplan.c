#include "addrplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_prefix(const void *a, const void *b)
{
	const struct plan_prefix *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

int addrplan_build(struct addr_plan *p, const struct cgnat_cfg *cfg, char *err, size_t errlen)
{
	uint32_t ports = cfg_port_count(cfg), n = 0;
	uint64_t index = 0;
	int i;

	memset(p, 0, sizeof(*p));
	p->pool = calloc(cfg->pool_size ? cfg->pool_size : 1, sizeof(*p->pool));
	if (!p->pool) {
		snprintf(err, errlen, "out of memory for %u pool addresses", cfg->pool_size);
		return -1;
	}
	/* cfg->pool is sorted and free of overlaps (validated). */
	for (i = 0; i < cfg->n_pool; i++) {
		uint64_t a;

		for (a = cfg->pool[i].first; a <= cfg->pool[i].last; a++)
			p->pool[n++] = (uint32_t)a;
	}
	p->n_pool = n;

	for (i = 0; i < cfg->n_prefixes; i++) {
		p->prefixes[i].first = cfg->prefixes[i].addr;
		p->prefixes[i].size = 1ULL << (32 - cfg->prefixes[i].len);
	}
	p->n_prefixes = cfg->n_prefixes;
	qsort(p->prefixes, p->n_prefixes, sizeof(p->prefixes[0]), cmp_prefix);
	for (i = 0; i < p->n_prefixes; i++) {
		p->prefixes[i].first_index = index;
		index += p->prefixes[i].size;
	}
	p->n_subscribers = index;

	p->deterministic = cfg->mode == CFG_MODE_DETERMINISTIC;
	p->geom.port_min = cfg->port_min;
	p->geom.block_size = p->deterministic ? cfg->ports_per_subscriber : cfg->block_size;
	p->geom.n_pool = n;
	if (!p->geom.block_size || ports / p->geom.block_size == 0) {
		snprintf(err, errlen, "block size %u does not fit the port range %u-%u",
			 p->geom.block_size, cfg->port_min, cfg->port_max);
		addrplan_free(p);
		return -1;
	}
	p->geom.blocks_per_ip = ports / p->geom.block_size;
	p->port_max = cfg->port_max;
	if (p->deterministic &&
	    (uint64_t)p->geom.blocks_per_ip * p->geom.n_pool < p->n_subscribers) {
		snprintf(err, errlen, "the pool holds %llu subscribers, the prefixes have %llu",
			 (unsigned long long)p->geom.blocks_per_ip * p->geom.n_pool,
			 (unsigned long long)p->n_subscribers);
		addrplan_free(p);
		return -1;
	}
	return 0;
}

void addrplan_free(struct addr_plan *p)
{
	free(p->pool);
	p->pool = NULL;
	p->n_pool = 0;
}

int64_t addrplan_pool_index(const struct addr_plan *p, uint32_t ip)
{
	uint32_t lo = 0, hi = p->n_pool;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->pool[mid] == ip)
			return mid;
		if (p->pool[mid] < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int64_t addrplan_subscriber_index(const struct addr_plan *p, uint32_t ip)
{
	int i;

	for (i = 0; i < p->n_prefixes; i++) {
		const struct plan_prefix *x = &p->prefixes[i];

		if (ip >= x->first && (uint64_t)(ip - x->first) < x->size)
			return (int64_t)(x->first_index + (ip - x->first));
	}
	return -1;
}

int addrplan_subscriber_addr(const struct addr_plan *p, uint64_t k, uint32_t *ip)
{
	int i;

	for (i = 0; i < p->n_prefixes; i++) {
		const struct plan_prefix *x = &p->prefixes[i];

		if (k >= x->first_index && k - x->first_index < x->size) {
			*ip = x->first + (uint32_t)(k - x->first_index);
			return 0;
		}
	}
	return -1;
}

int addrplan_det_forward(const struct addr_plan *p, uint32_t inside, uint32_t *public_ip,
			 uint16_t *port_first, uint16_t *port_last)
{
	int64_t k = addrplan_subscriber_index(p, inside);
	long long block;
	uint32_t first;

	if (!p->deterministic || k < 0)
		return -1;
	block = cgnat_det_block(&p->geom, (uint64_t)k);
	if (block < 0)
		return -1;
	*public_ip = p->pool[cgnat_block_ip_index(&p->geom, (uint32_t)block)];
	first = cgnat_block_first_port(&p->geom, (uint32_t)block);
	*port_first = (uint16_t)first;
	*port_last = (uint16_t)(first + p->geom.block_size - 1);
	return 0;
}

int addrplan_det_reverse(const struct addr_plan *p, uint32_t public_ip, uint16_t port,
			 uint32_t *inside)
{
	int64_t ip_index = addrplan_pool_index(p, public_ip);
	long long block;
	uint64_t k;

	if (!p->deterministic || ip_index < 0)
		return -1;
	block = cgnat_block_of(&p->geom, (uint32_t)ip_index, port);
	if (block < 0)
		return -1;
	k = cgnat_det_subscriber(&p->geom, (uint32_t)block);
	if (k >= p->n_subscribers)
		return -1;
	return addrplan_subscriber_addr(p, k, inside);
}
