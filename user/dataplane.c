#include "dataplane.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "bpffs.h"
#include "cgnat.skel.h"

#define TC_HANDLE 0xc6a7
#define TC_PRIORITY 1
#define LINK_PREFIX "link_xdp_"

static uint32_t at_least_one(uint64_t n)
{
	return n == 0 ? 1 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t dp_layout_hash(const struct cgnat_cfg *cfg, const struct addr_plan *plan)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t mode = cfg->mode, max_sessions = cfg->max_sessions;
	int i;

	h = fnv1a(h, &mode, sizeof(mode));
	h = fnv1a(h, &plan->geom, sizeof(plan->geom));
	h = fnv1a(h, &max_sessions, sizeof(max_sessions));
	h = fnv1a(h, plan->pool, plan->n_pool * sizeof(plan->pool[0]));
	for (i = 0; i < plan->n_prefixes; i++)
		h = fnv1a(h, &plan->prefixes[i], sizeof(plan->prefixes[i]));
	return h;
}

/* A pool spanning at most this many addresses is indexed by a direct
 * table (8 bytes per address of the span) instead of a hash. */
#define POOL_LUT_MAX_SPAN 65536

static uint64_t pool_span(const struct addr_plan *p)
{
	return p->n_pool ? (uint64_t)p->pool[p->n_pool - 1] - p->pool[0] + 1 : 0;
}

static int set_sizes(struct cgnat *s, const struct cgnat_cfg *cfg, const struct addr_plan *p)
{
	uint64_t n_pool = p->n_pool, span = pool_span(p);
	/* A subscriber entry lives while it holds a block (or is about to), so
	 * twice the pool's blocks bound the live entries however large the
	 * prefixes are; a smaller table keeps its bucket array in cache. */
	uint64_t subs = p->n_subscribers < cfg->max_sessions ? p->n_subscribers : cfg->max_sessions;
	uint64_t blocks = n_pool * p->geom.blocks_per_ip;

	if (subs > 2 * blocks)
		subs = 2 * blocks;
	int err = 0;

	err |= bpf_map__set_max_entries(s->maps.cgnat_pool_index, at_least_one(n_pool));
	err |= bpf_map__set_max_entries(s->maps.cgnat_pool_ips, at_least_one(n_pool));
	err |= bpf_map__set_max_entries(s->maps.cgnat_ip_free, at_least_one(n_pool));
	err |= bpf_map__set_max_entries(s->maps.cgnat_mappings,
					(uint32_t)cgnat_session_slots(cfg->max_sessions));
	/* Only address-dependent filtering uses peers, for the few mappings
	 * that talk to several hosts; a quarter of the sessions is plenty. */
	err |= bpf_map__set_max_entries(s->maps.cgnat_peers,
					cfg->max_sessions / 4 > 1024 ? cfg->max_sessions / 4 : 1024);
	err |= bpf_map__set_max_entries(s->maps.cgnat_pool_lut,
					span <= POOL_LUT_MAX_SPAN ? at_least_one(span) : 1);
	err |= bpf_map__set_max_entries(s->maps.cgnat_subscribers, at_least_one(subs));
	err |= bpf_map__set_max_entries(s->maps.cgnat_ports,
		at_least_one(n_pool * CGNAT_NPROTO * CGNAT_PORTS_PER_IP / CGNAT_SLOTS_PER_GROUP));
	err |= bpf_map__set_max_entries(s->maps.cgnat_blocks,
		at_least_one(n_pool * p->geom.blocks_per_ip));
	err |= bpf_map__set_max_entries(s->maps.cgnat_block_fill,
		at_least_one(n_pool * p->geom.blocks_per_ip));
	err |= bpf_map__set_max_entries(s->maps.cgnat_events, (uint32_t)cfg->ring_buffer_size);
	return err ? -1 : 0;
}

static int pinnable(const struct bpf_map *map)
{
	/* .rodata/.bss of the object are private to each load. */
	return !strchr(bpf_map__name(map), '.');
}

/* Reuse every pinned map whose shape matches ours. libbpf's own reuse
 * compares map flags too, and the kernel adds BPF_F_RDONLY_PROG to every
 * devmap it creates, so a pinned devmap would never match; comparing here
 * also lets the error say which map and which setting differ. */
static int reuse_pins(struct cgnat *s, const char *dir, bool replace, char *err, size_t errlen)
{
	struct bpf_map *map;
	char path[2 * PATH_MAX];
	const char *missing = NULL;
	int reused = 0;

	bpf_object__for_each_map(map, s->obj) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd;

		if (!pinnable(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		if (replace)
			unlink(path);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			missing = bpf_map__name(map); /* created and pinned after load */
			continue;
		}
		reused++;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    info.max_entries != bpf_map__max_entries(map)) {
			snprintf(err, errlen,
				 "the pinned map %s does not fit this configuration (capacity %u, "
				 "configured %u; value size %u, built %u): it belongs to a dataplane with "
				 "another pool, port layout, max_sessions or ring_buffer_size, or another "
				 "cgnat version; hint: restore that configuration, or start once with "
				 "--replace (drops every session)", path, info.max_entries,
				 bpf_map__max_entries(map), info.value_size, bpf_map__value_size(map));
			close(fd);
			return -1;
		}
		if (bpf_map__reuse_fd(map, fd)) {
			snprintf(err, errlen, "cannot reuse %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd); /* reuse_fd keeps its own duplicate */
	}
	/* A fresh map next to reused ones would start out of step with them
	 * (a counter at zero while ports are in use). */
	if (reused && missing) {
		snprintf(err, errlen,
			 "the maps pinned under %s lack %s: they belong to another cgnat version; "
			 "hint: start once with --replace (drops every session)", dir, missing);
		return -1;
	}
	return 0;
}

static int pin_new(struct cgnat *s, const char *dir, char *err, size_t errlen)
{
	struct bpf_map *map;
	char path[2 * PATH_MAX];

	bpf_object__for_each_map(map, s->obj) {
		if (!pinnable(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		if (access(path, F_OK) == 0)
			continue;
		if (bpf_obj_pin(bpf_map__fd(map), path)) {
			snprintf(err, errlen, "cannot pin %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void *map_mmap(struct bpf_map *map, size_t *bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t elem = (bpf_map__value_size(map) + 7) & ~7u;
	size_t n = (size_t)elem * bpf_map__max_entries(map);
	void *p;

	n = (n + page - 1) & ~(page - 1);
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	if (p == MAP_FAILED)
		return NULL;
	*bytes = n;
	return p;
}

/* Touch every page of the session and port tables through the kernel's
 * mapping (cgnat_warm); best effort, a few milliseconds. */
static void warm_tables(struct dataplane *dp)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	bpf_prog_test_run_opts(bpf_program__fd(dp->skel->progs.cgnat_warm), &opts);
}

/* Each CPU's pending port draw starts at 0 in a new map: without a seed
 * the first port each CPU picks would be a block's first one. Per-CPU
 * values are 8-byte aligned in the syscall's buffer. */
static void seed_port_draws(struct dataplane *dp)
{
	int n = libbpf_num_possible_cpus();
	uint64_t vals[1024];
	uint32_t zero = 0;

	if (n <= 0 || n > 1024 || getrandom(vals, n * sizeof(vals[0]), 0) < 0)
		return;
	bpf_map_update_elem(bpf_map__fd(dp->skel->maps.cgnat_port_draw), &zero, vals, BPF_ANY);
}

static int map_all(struct dataplane *dp)
{
	struct cgnat *s = dp->skel;

	dp->slots = map_mmap(s->maps.cgnat_ports, &dp->slots_bytes);
	dp->blocks = map_mmap(s->maps.cgnat_blocks, &dp->blocks_bytes);
	dp->block_fill = map_mmap(s->maps.cgnat_block_fill, &dp->block_fill_bytes);
	dp->ip_free = map_mmap(s->maps.cgnat_ip_free, &dp->ip_free_bytes);
	dp->global = map_mmap(s->maps.cgnat_global, &dp->global_bytes);
	dp->gc_batch = map_mmap(s->maps.cgnat_gc_batch, &dp->gc_bytes);
	dp->sessions.slots = map_mmap(s->maps.cgnat_mappings, &dp->sessions_bytes);
	dp->sessions.n = bpf_map__max_entries(s->maps.cgnat_mappings);

	dp->n_blocks = bpf_map__max_entries(s->maps.cgnat_blocks);
	if (!dp->slots || !dp->blocks || !dp->block_fill || !dp->ip_free || !dp->global)
		return -1;
	return dp->gc_batch && dp->sessions.slots ? 0 : -1;
}

static int read_config(struct dataplane *dp, struct cgnat_config *c)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.cgnat_config), &zero, c);
}

/* Fill the tables that depend only on the layout (fresh dataplane). */
static int init_layout(struct dataplane *dp)
{
	struct cgnat *s = dp->skel;
	int fd_index = bpf_map__fd(s->maps.cgnat_pool_index);
	int fd_ips = bpf_map__fd(s->maps.cgnat_pool_ips);
	int fd_pfx = bpf_map__fd(s->maps.cgnat_prefixes);
	uint32_t i;
	int j;

	int fd_lut = bpf_map__fd(s->maps.cgnat_pool_lut);
	bool lut = pool_span(&dp->plan) <= POOL_LUT_MAX_SPAN;

	for (i = 0; i < dp->plan.n_pool; i++) {
		uint32_t ip = htonl(dp->plan.pool[i]), off = dp->plan.pool[i] - dp->plan.pool[0];
		uint32_t plus1 = i + 1;

		if (bpf_map_update_elem(fd_index, &ip, &i, BPF_ANY) ||
		    bpf_map_update_elem(fd_ips, &i, &ip, BPF_ANY) ||
		    (lut && bpf_map_update_elem(fd_lut, &off, &plus1, BPF_ANY)))
			return -1;
		dp->ip_free[i] = dp->plan.geom.blocks_per_ip;
	}
	for (j = 0; j < dp->plan.n_prefixes; j++) {
		const struct plan_prefix *pp = &dp->plan.prefixes[j];
		struct cgnat_prefix_key k = { .addr = htonl(pp->first) };
		struct cgnat_prefix_info v = { .first_index = pp->first_index, .first_addr = pp->first };
		uint64_t size = pp->size;

		k.prefixlen = 32;
		while (size > 1) {
			size >>= 1;
			k.prefixlen--;
		}
		if (bpf_map_update_elem(fd_pfx, &k, &v, BPF_ANY))
			return -1;
	}
	/* Sequence 0 means "agent record without a number" in the log. */
	__atomic_store_n(&dp->global->event_seq, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&dp->global->free_blocks,
			 (uint64_t)dp->plan.n_pool * dp->plan.geom.blocks_per_ip, __ATOMIC_SEQ_CST);
	return 0;
}

int dp_open(struct dataplane *dp, const struct cgnat_cfg *cfg, bool replace, char *err,
	    size_t errlen)
{
	struct cgnat_config running;
	uint64_t hash;
	int r;

	memset(dp, 0, sizeof(*dp));
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", cfg->pin_path);
	if (addrplan_build(&dp->plan, cfg, err, errlen))
		return -1;
	if (bpffs_prepare(dp->pin_dir, err, errlen))
		goto fail;
	dp->skel = cgnat__open();
	if (!dp->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	if (set_sizes(dp->skel, cfg, &dp->plan)) {
		snprintf(err, errlen, "cannot size the BPF maps: %s", strerror(errno));
		goto fail;
	}
	if (reuse_pins(dp->skel, dp->pin_dir, replace, err, errlen))
		goto fail;
	r = cgnat__load(dp->skel);
	if (r) {
		snprintf(err, errlen, "cannot load the dataplane programs: %s; hint: the kernel "
			 "needs BPF, BTF and XDP support (see the libbpf messages above)",
			 strerror(-r));
		goto fail;
	}
	if (pin_new(dp->skel, dp->pin_dir, err, errlen))
		goto fail;
	if (map_all(dp)) {
		snprintf(err, errlen, "cannot mmap the shared maps: %s", strerror(errno));
		goto fail;
	}
	warm_tables(dp);
	seed_port_draws(dp);
	hash = dp_layout_hash(cfg, &dp->plan);
	if (read_config(dp, &running) == 0 && (running.flags & CGNAT_CF_READY)) {
		if (running.layout_hash != hash) {
			snprintf(err, errlen,
				 "the pinned dataplane under %s was built for another pool, subscriber "
				 "prefixes, mode or port layout; hint: restore that config, or start "
				 "with --replace (drops every session)", dp->pin_dir);
			goto fail;
		}
		dp->reused = true;
		dp->epoch = running.epoch;
	} else if (init_layout(dp)) {
		snprintf(err, errlen, "cannot fill the address maps: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	dp_close(dp);
	return -1;
}

static uint32_t iface_ipv4(const char *name)
{
	struct ifaddrs *list, *a;
	uint32_t ip = 0;

	if (getifaddrs(&list))
		return 0;
	for (a = list; a; a = a->ifa_next) {
		if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && !strcmp(a->ifa_name, name)) {
			ip = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
			break;
		}
	}
	freeifaddrs(list);
	return ip;
}

static int forwarding_enabled(const char *ifname)
{
	char path[128], c = '0';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

static int attach_xdp(struct dataplane *dp, const struct dp_iface *i, int prog_fd,
		      enum cfg_xdp_mode mode, char *err, size_t errlen)
{
	char path[2 * PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/" LINK_PREFIX "%s", dp->pin_dir, i->name);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		/* Atomic swap: no packet ever sees the interface without a program. */
		if (bpf_link_update(fd, prog_fd, NULL) == 0) {
			close(fd);
			return 0;
		}
		close(fd);
		unlink(path);
	}
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .flags = mode == CFG_XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	fd = bpf_link_create(prog_fd, i->ifindex, BPF_XDP, &opts);
	if (fd < 0) {
		snprintf(err, errlen, "cannot attach XDP to %s: %s; hint: %s", i->name,
			 strerror(errno),
			 errno == EBUSY || errno == EEXIST
				 ? "another XDP program is attached; remove it (ip link set dev IF xdp off)"
				 : "use interfaces.xdp_mode: generic if the driver has no native XDP");
		return -1;
	}
	if (bpf_obj_pin(fd, path)) {
		snprintf(err, errlen, "cannot pin the XDP link at %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int attach_tc(const struct dp_iface *i, int prog_fd, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = i->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	/* The clsact qdisc usually exists already (an earlier run, another
	 * tool): EEXIST is expected, and libbpf would print the kernel's
	 * "Exclusivity flag on" for it. Quiet for this one call only. */
	libbpf_print_fn_t print = libbpf_set_print(NULL);
	int r = bpf_tc_hook_create(&hook);

	libbpf_set_print(print);

	if (r && r != -EEXIST) {
		snprintf(err, errlen, "cannot create the clsact qdisc on %s: %s", i->name,
			 strerror(-r));
		return -1;
	}
	r = bpf_tc_attach(&hook, &opts);
	if (r) {
		snprintf(err, errlen, "cannot attach tc egress on %s: %s", i->name, strerror(-r));
		return -1;
	}
	return 0;
}

/* Links pinned by an earlier run for interfaces no longer configured. */
static void detach_stale_links(struct dataplane *dp)
{
	DIR *d = opendir(dp->pin_dir);
	struct dirent *e;
	char path[2 * PATH_MAX];
	int i, keep;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			continue;
		keep = 0;
		for (i = 0; i < dp->n_ifaces; i++)
			keep |= !strcmp(e->d_name + strlen(LINK_PREFIX), dp->ifaces[i].name);
		if (keep)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, e->d_name);
		int fd = bpf_obj_get(path);

		if (fd >= 0) {
			bpf_link_detach(fd);
			close(fd);
		}
		unlink(path);
	}
	closedir(d);
}

static int add_iface(struct dataplane *dp, const char *name, int role, char *err, size_t errlen)
{
	struct dp_iface *i = &dp->ifaces[dp->n_ifaces];

	snprintf(i->name, sizeof(i->name), "%s", name);
	i->role = role;
	i->ifindex = (int)if_nametoindex(name);
	if (!i->ifindex) {
		snprintf(err, errlen, "interface %s does not exist; hint: check interfaces.%s in the "
			 "config", name, role == CGNAT_IF_INSIDE ? "inside" : "outside");
		return -1;
	}
	if (!forwarding_enabled(name)) {
		snprintf(err, errlen, "IPv4 forwarding is off on %s; hint: sysctl -w "
			 "net.ipv4.ip_forward=1 (the systemd unit does this)", name);
		return -1;
	}
	i->ipv4 = iface_ipv4(name);
	dp->n_ifaces++;
	return 0;
}

int dp_attach(struct dataplane *dp, const struct cgnat_cfg *cfg, char *err, size_t errlen)
{
	struct cgnat *s = dp->skel;
	int fd_if = bpf_map__fd(s->maps.cgnat_ifaces), fd_tx = bpf_map__fd(s->maps.cgnat_tx);
	uint32_t key, next;
	int i;

	dp->n_ifaces = 0;
	for (i = 0; i < cfg->n_inside; i++)
		if (add_iface(dp, cfg->inside[i], CGNAT_IF_INSIDE, err, errlen))
			return -1;
	for (i = 0; i < cfg->n_outside; i++)
		if (add_iface(dp, cfg->outside[i], CGNAT_IF_OUTSIDE, err, errlen))
			return -1;

	/* Forget interfaces of an earlier configuration. */
	while (bpf_map_get_next_key(fd_if, NULL, &next) == 0)
		bpf_map_delete_elem(fd_if, &next);
	for (key = 0; key < 2 * CGNAT_MAX_IFACES; key++)
		bpf_map_delete_elem(fd_tx, &key);
	for (i = 0; i < dp->n_ifaces; i++) {
		struct cgnat_iface v = { .role = dp->ifaces[i].role, .ipv4 = dp->ifaces[i].ipv4 };
		/* cgnat_tx slots follow the config's lists, like iface_slot(). */
		uint32_t slot = i < cfg->n_inside ? (uint32_t)i
						  : CGNAT_MAX_IFACES + (uint32_t)(i - cfg->n_inside);
		uint32_t ifindex = (uint32_t)dp->ifaces[i].ifindex;

		key = ifindex;
		if (bpf_map_update_elem(fd_if, &key, &v, BPF_ANY) ||
		    bpf_map_update_elem(fd_tx, &slot, &ifindex, BPF_ANY)) {
			snprintf(err, errlen, "cannot register %s in the dataplane: %s",
				 dp->ifaces[i].name, strerror(errno));
			return -1;
		}
	}
	detach_stale_links(dp);
	for (i = 0; i < dp->n_ifaces; i++) {
		const struct dp_iface *f = &dp->ifaces[i];
		int prog = bpf_program__fd(f->role == CGNAT_IF_INSIDE ? s->progs.cgnat_xdp_inside
								       : s->progs.cgnat_xdp_outside);

		if (attach_xdp(dp, f, prog, cfg->xdp_mode, err, errlen))
			return -1;
		if (f->role == CGNAT_IF_OUTSIDE &&
		    attach_tc(f, bpf_program__fd(s->progs.cgnat_tc_egress), err, errlen))
			return -1;
	}
	return 0;
}

int dp_apply_config(struct dataplane *dp, const struct cgnat_cfg *cfg, char *err, size_t errlen)
{
	struct cgnat_config c = {0};
	uint32_t zero = 0;

	c.mode = cfg->mode == CFG_MODE_DETERMINISTIC ? CGNAT_MODE_DETERMINISTIC
		 : cfg->mode == CFG_MODE_SESSION      ? CGNAT_MODE_SESSION
						      : CGNAT_MODE_PBA;
	if (cfg->filtering == CFG_FILTER_ADDRESS_DEPENDENT)
		c.flags |= CGNAT_CF_ADDRESS_DEPENDENT_FILTER;
	if (cfg->port_parity)
		c.flags |= CGNAT_CF_PORT_PARITY;
	if (cfg->hairpinning)
		c.flags |= CGNAT_CF_HAIRPIN;
	if (cfg->log_destinations)
		c.flags |= CGNAT_CF_LOG_DESTINATIONS;
	c.flags |= CGNAT_CF_READY;
	c.port_min = dp->plan.geom.port_min;
	c.block_size = dp->plan.geom.block_size;
	c.blocks_per_ip = dp->plan.geom.blocks_per_ip;
	c.n_pool = dp->plan.n_pool;
	c.max_blocks_per_sub = cfg->mode == CFG_MODE_DETERMINISTIC ? 1 : cfg->max_blocks_per_subscriber;
	c.max_ports_per_sub = cfg->max_ports_per_subscriber;
	c.max_sessions_per_sub = cfg->max_sessions_per_subscriber;
	c.icmp_error_rate = cfg->icmp_error_rate;
	c.timeout[CGNAT_TO_UDP] = cfg->timeout_udp;
	c.timeout[CGNAT_TO_TCP_ESTABLISHED] = cfg->timeout_tcp_established;
	c.timeout[CGNAT_TO_TCP_TRANSITORY] = cfg->timeout_tcp_transitory;
	c.timeout[CGNAT_TO_ICMP] = cfg->timeout_icmp;
	c.det_subscribers = dp->plan.n_subscribers;
	if (dp->plan.n_pool) {
		c.pool_lo = dp->plan.pool[0];
		c.pool_hi = dp->plan.pool[dp->plan.n_pool - 1];
	}
	if (pool_span(&dp->plan) <= POOL_LUT_MAX_SPAN)
		c.flags |= CGNAT_CF_POOL_LUT;
	/* Interfaces that do not exist yet stay 0; dp_attach refuses them. */
	for (int i = 0; i < cfg->n_inside && i < CGNAT_MAX_IFACES; i++)
		c.inside_if[i] = if_nametoindex(cfg->inside[i]);
	for (int i = 0; i < cfg->n_outside && i < CGNAT_MAX_IFACES; i++)
		c.outside_if[i] = if_nametoindex(cfg->outside[i]);
	c.epoch = ++dp->epoch;
	c.session_mask = dp->sessions.n - 1;
	c.max_sessions = cfg->max_sessions;
	c.layout_hash = dp_layout_hash(cfg, &dp->plan);
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.cgnat_config), &zero, &c, BPF_ANY)) {
		snprintf(err, errlen, "cannot write the dataplane configuration: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

#define RELOAD_FIELD(f, key)                                                          \
	if (memcmp(&running->f, &next->f, sizeof(next->f))) {                          \
		snprintf(err, errlen, "%s changed; it needs a restart (existing subscribers " \
			 "would move or dataplane tables would be resized): the running "     \
			 "configuration stays in force", key);                                \
		return -1;                                                            \
	}

int dp_check_reload(const struct cgnat_cfg *running, const struct cgnat_cfg *next, char *err,
		    size_t errlen)
{
	RELOAD_FIELD(inside, "interfaces.inside");
	RELOAD_FIELD(n_inside, "interfaces.inside");
	RELOAD_FIELD(outside, "interfaces.outside");
	RELOAD_FIELD(n_outside, "interfaces.outside");
	RELOAD_FIELD(xdp_mode, "interfaces.xdp_mode");
	RELOAD_FIELD(prefixes, "subscribers.prefixes");
	RELOAD_FIELD(n_prefixes, "subscribers.prefixes");
	RELOAD_FIELD(pool, "pool.addresses");
	RELOAD_FIELD(n_pool, "pool.addresses");
	RELOAD_FIELD(port_min, "pool.ports");
	RELOAD_FIELD(port_max, "pool.ports");
	RELOAD_FIELD(mode, "mode");
	RELOAD_FIELD(block_size, "allocation.block_size");
	RELOAD_FIELD(max_blocks_per_subscriber, "allocation.max_blocks_per_subscriber");
	RELOAD_FIELD(ports_per_subscriber, "allocation.ports_per_subscriber");
	RELOAD_FIELD(max_sessions, "limits.max_sessions");
	RELOAD_FIELD(pin_path, "dataplane.pin_path");
	RELOAD_FIELD(ring_buffer_size, "logging.ring_buffer_size");
	return 0;
}

void dp_detach(struct dataplane *dp, const struct cgnat_cfg *cfg)
{
	int i;

	(void)cfg;
	for (i = 0; i < dp->n_ifaces; i++) {
		const struct dp_iface *f = &dp->ifaces[i];

		if (f->role == CGNAT_IF_OUTSIDE) {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = f->ifindex,
				    .attach_point = BPF_TC_EGRESS);
			LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY);
			bpf_tc_detach(&hook, &opts);
		}
	}
	/* Unpinning the links (and closing the last fd) takes XDP off. */
	dp->n_ifaces = 0;
	detach_stale_links(dp);
	bpffs_remove_dir(dp->pin_dir);
}

void dp_close(struct dataplane *dp)
{
	if (dp->slots)
		munmap(dp->slots, dp->slots_bytes);
	if (dp->blocks)
		munmap(dp->blocks, dp->blocks_bytes);
	if (dp->block_fill)
		munmap(dp->block_fill, dp->block_fill_bytes);
	if (dp->ip_free)
		munmap(dp->ip_free, dp->ip_free_bytes);
	if (dp->global)
		munmap(dp->global, dp->global_bytes);
	if (dp->gc_batch)
		munmap(dp->gc_batch, dp->gc_bytes);
	if (dp->sessions.slots)
		munmap((void *)dp->sessions.slots, dp->sessions_bytes);
	if (dp->skel)
		cgnat__destroy(dp->skel);
	addrplan_free(&dp->plan);
	memset(dp, 0, sizeof(*dp));
}

uint64_t dp_stat(const struct dataplane *dp, unsigned idx)
{
	int n = libbpf_num_possible_cpus();
	uint64_t vals[1024], sum = 0;

	if (n <= 0 || n > 1024 ||
	    bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.cgnat_stats), &idx, vals))
		return 0;
	for (int i = 0; i < n; i++)
		sum += vals[i];
	return sum;
}

uint64_t dp_live_sessions(const struct dataplane *dp)
{
	return dp_stat(dp, CGNAT_STAT_MAPPING_CREATED) + dp_stat(dp, CGNAT_STAT_PEER_CREATED) -
	       dp_stat(dp, CGNAT_STAT_MAPPING_EXPIRED) - dp_stat(dp, CGNAT_STAT_PEER_EXPIRED);
}

int dp_run_gc(struct dataplane *dp, uint32_t count, uint32_t *deleted, uint32_t *now)
{
	struct cgnat_gc_args args = { .count = count };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int r = bpf_prog_test_run_opts(bpf_program__fd(dp->skel->progs.cgnat_gc), &opts);

	if (r)
		return r;
	if (deleted)
		*deleted = args.deleted;
	if (now)
		*now = args.now;
	return (int)opts.retval;
}
