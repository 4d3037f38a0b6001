#include "pinned.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int get(const char *dir, const char *name, int *fd, char *err, size_t errlen)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = bpf_obj_get(path);
	if (*fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s; hint: is cgnatd running with this "
			 "configuration (dataplane.pin_path %s)? pass the same -c FILE", path,
			 strerror(errno), dir);
		return -1;
	}
	return 0;
}

static const void *map_ro(int fd, size_t *bytes, uint32_t *entries)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n;
	void *p;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return NULL;
	n = (size_t)((info.value_size + 7) & ~7u) * info.max_entries;
	n = (n + page - 1) & ~(page - 1);
	p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	*bytes = n;
	if (entries)
		*entries = info.max_entries;
	return p;
}

int pinned_open(struct pinned *p, const char *dir, char *err, size_t errlen)
{
	int ports = -1, blocks = -1, global = -1;
	uint32_t zero = 0, i;

	memset(p, 0, sizeof(*p));
	p->config = p->mappings = p->subscribers = p->stats = p->pool_ips = -1;
	p->ifaces = -1;
	if (get(dir, "cgnat_config", &p->config, err, errlen) ||
	    get(dir, "cgnat_mappings", &p->mappings, err, errlen) ||
	    get(dir, "cgnat_subscribers", &p->subscribers, err, errlen) ||
	    get(dir, "cgnat_stats", &p->stats, err, errlen) ||
	    get(dir, "cgnat_pool_ips", &p->pool_ips, err, errlen) ||
	    get(dir, "cgnat_ifaces", &p->ifaces, err, errlen) ||
	    get(dir, "cgnat_ports", &ports, err, errlen) ||
	    get(dir, "cgnat_blocks", &blocks, err, errlen) ||
	    get(dir, "cgnat_global", &global, err, errlen))
		goto fail;
	if (bpf_map_lookup_elem(p->config, &zero, &p->cfg)) {
		snprintf(err, errlen, "cannot read the dataplane configuration: %s", strerror(errno));
		goto fail;
	}
	p->slots = map_ro(ports, &p->slots_bytes, NULL);
	p->blocks = map_ro(blocks, &p->blocks_bytes, &p->n_blocks);
	p->global = map_ro(global, &p->global_bytes, NULL);
	p->sessions.slots = map_ro(p->mappings, &p->sessions_bytes, &p->sessions.n);
	if (!p->slots || !p->blocks || !p->global || !p->sessions.slots) {
		snprintf(err, errlen, "cannot map the dataplane tables: %s", strerror(errno));
		goto fail;
	}
	p->n_pool = p->cfg.n_pool;
	p->pool = calloc(p->n_pool ? p->n_pool : 1, sizeof(*p->pool));
	if (!p->pool)
		goto fail;
	for (i = 0; i < p->n_pool; i++)
		bpf_map_lookup_elem(p->pool_ips, &i, &p->pool[i]);
	p->ncpus = libbpf_num_possible_cpus();
	close(ports);
	close(blocks);
	close(global);
	return 0;
fail:
	if (ports >= 0)
		close(ports);
	if (blocks >= 0)
		close(blocks);
	if (global >= 0)
		close(global);
	pinned_close(p);
	return -1;
}

void pinned_close(struct pinned *p)
{
	int *fds[] = { &p->config, &p->mappings, &p->subscribers, &p->stats,
		       &p->pool_ips, &p->ifaces };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] > 0)
			close(*fds[i]);
	if (p->slots)
		munmap((void *)p->slots, p->slots_bytes);
	if (p->blocks)
		munmap((void *)p->blocks, p->blocks_bytes);
	if (p->global)
		munmap((void *)p->global, p->global_bytes);
	if (p->sessions.slots)
		munmap((void *)p->sessions.slots, p->sessions_bytes);
	free(p->pool);
	memset(p, 0, sizeof(*p));
}

uint64_t pinned_stat(const struct pinned *p, unsigned idx)
{
	uint64_t vals[1024], sum = 0;
	int i;

	if (p->ncpus <= 0 || p->ncpus > 1024 || bpf_map_lookup_elem(p->stats, &idx, vals))
		return 0;
	for (i = 0; i < p->ncpus; i++)
		sum += vals[i];
	return sum;
}

int64_t pinned_pool_index(const struct pinned *p, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < p->n_pool; i++)
		if (p->pool[i] == ip)
			return i;
	return -1;
}
