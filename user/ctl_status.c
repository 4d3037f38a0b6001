/* cgnatctl status and stats. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "jsonw.h"
#include "mapwalk.h"
#include "status.h"

#define STAT_NAME(name, help) #name,
#define STAT_HELP(name, help) help,
static const char *const stat_names[] = { CGNAT_STATS(STAT_NAME) };
static const char *const stat_help[] = { CGNAT_STATS(STAT_HELP) };

static void lower(const char *in, char *out, size_t n)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < n; i++)
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
	out[i] = '\0';
}

/* The agent's status file, or NULL when the agent is not running. */
static char *agent_status(const struct ctl *c)
{
	char path[PATH_MAX], *buf;
	FILE *f;
	long n;

	status_path(&c->cfg, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return NULL;
	buf = calloc(1, 8192);
	n = buf ? (long)fread(buf, 1, 8191, f) : 0;
	fclose(f);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

static long long json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = json ? strstr(json, pat) : NULL;
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static int agent_alive(const char *st)
{
	long long pid = json_num(st, "pid"), updated = json_num(st, "updated");

	return pid > 0 && kill((pid_t)pid, 0) == 0 && time(NULL) - updated < 10;
}

static int count_step(void *arg, const void *k, const void *v)
{
	(void)k;
	(void)v;
	++*(uint64_t *)arg;
	return 0;
}

static const char *mode_name(uint32_t m)
{
	return m == CGNAT_MODE_DETERMINISTIC ? "deterministic" : m == CGNAT_MODE_SESSION ? "session"
											  : "pba";
}

/* The interfaces the dataplane serves: JSON objects into w, or text. */
static void interfaces(struct ctl *c, struct jsonw *w)
{
	uint32_t key, next, *prev = NULL;

	while (bpf_map_get_next_key(c->pin.ifaces, prev, &next) == 0) {
		struct cgnat_iface v;
		char name[IF_NAMESIZE] = "?";
		const char *role;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(c->pin.ifaces, &key, &v))
			continue;
		if_indextoname(key, name);
		role = v.role == CGNAT_IF_INSIDE ? "inside" : "outside";
		if (!w) {
			printf(" %s (%s)", name, role);
			continue;
		}
		jw_obj_begin(w);
		jw_kstr(w, "name", name);
		jw_ku64(w, "ifindex", key);
		jw_kstr(w, "role", role);
		jw_obj_end(w);
	}
}

int ctl_status(struct ctl *c, int argc, char **argv)
{
	const struct cgnat_config *dc;
	char *st;
	uint64_t sessions, subs, free_blocks;
	struct jsonw w;
	int alive;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: cgnatctl status\n");
		return CTL_USAGE;
	}
	if (ctl_need_dataplane(c))
		return CTL_ERROR;
	dc = &c->pin.cfg;
	st = agent_status(c);
	alive = st && agent_alive(st);
	sessions = pinned_stat(&c->pin, CGNAT_STAT_MAPPING_CREATED) +
		   pinned_stat(&c->pin, CGNAT_STAT_PEER_CREATED) -
		   pinned_stat(&c->pin, CGNAT_STAT_MAPPING_EXPIRED) -
		   pinned_stat(&c->pin, CGNAT_STAT_PEER_EXPIRED);
	free_blocks = c->pin.global->free_blocks;
	subs = 0;
	map_walk(c->pin.subscribers, sizeof(uint32_t), sizeof(struct cgnat_subscriber), count_step,
		 &subs);

	if (c->json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w);
		jw_kbool(&w, "agent_running", alive);
		jw_kstr(&w, "mode", mode_name(dc->mode));
		jw_ku64(&w, "epoch", dc->epoch);
		jw_ku64(&w, "public_addresses", dc->n_pool);
		jw_ku64(&w, "block_size", dc->block_size);
		jw_ku64(&w, "blocks_per_address", dc->blocks_per_ip);
		jw_ku64(&w, "free_blocks", free_blocks);
		jw_ku64(&w, "sessions", sessions);
		jw_ku64(&w, "subscribers", subs);
		jw_key(&w, "interfaces");
		jw_arr_begin(&w);
		interfaces(c, &w);
		jw_arr_end(&w);
		if (st) {
			jw_key(&w, "agent");
			fputs(st, stdout);
		}
		jw_obj_end(&w);
		free(st);
		return alive ? CTL_OK : CTL_ERROR;
	}
	if (alive)
		printf("agent        running (pid %lld), epoch %u, config %s\n",
		       json_num(st, "pid"), dc->epoch, c->cfg.path);
	else
		printf("agent        NOT RUNNING (the pinned dataplane keeps forwarding "
		       "established flows; events queue in the ring buffer)\n");
	printf("mode         %s, %u ports per %s\n", mode_name(dc->mode), dc->block_size,
	       dc->mode == CGNAT_MODE_DETERMINISTIC ? "subscriber" : "block");
	printf("pool         %u public addresses, %u blocks each, %llu blocks free\n", dc->n_pool,
	       dc->blocks_per_ip, (unsigned long long)free_blocks);
	printf("sessions     %llu in %llu subscribers\n", (unsigned long long)sessions,
	       (unsigned long long)subs);
	printf("interfaces  ");
	interfaces(c, NULL);
	printf("\n");
	if (alive)
		printf("log          %lld records written, %lld duplicates skipped, %lld write "
		       "errors; %lld ports on hold\n",
		       json_num(st, "events"), json_num(st, "duplicates"),
		       json_num(st, "write_errors"), json_num(st, "held_ports"));
	printf("refused      %llu flows: event ring full; %llu events lost\n",
	       (unsigned long long)pinned_stat(&c->pin, CGNAT_STAT_DROP_EVENT_RING_FULL),
	       (unsigned long long)pinned_stat(&c->pin, CGNAT_STAT_EVENTS_LOST));
	free(st);
	return alive ? CTL_OK : CTL_ERROR;
}

struct owner_use {
	uint32_t owner;
	uint64_t used;
	uint32_t blocks;
	uint32_t ip_index;
};

static int by_owner(const void *a, const void *b)
{
	const struct owner_use *x = a, *y = b;

	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

static int by_used_desc(const void *a, const void *b)
{
	const struct owner_use *x = a, *y = b;

	return x->used > y->used ? -1 : x->used < y->used;
}

struct ip_use {
	uint32_t blocks;
	uint32_t subscribers;
	uint64_t slots;
};

/* Per public address: blocks owned, distinct owners, port slots in use;
 * and the subscribers holding the most port slots. */
static size_t block_usage(const struct pinned *p, struct ip_use *ips, struct owner_use **top)
{
	const struct cgnat_config *dc = &p->cfg;
	struct owner_use *v = calloc(p->n_blocks ? p->n_blocks : 1, sizeof(*v));
	size_t n = 0, i, m = 0;

	if (!v)
		return 0;
	for (i = 0; i < p->n_blocks; i++) {
		uint64_t w = __atomic_load_n(&p->blocks[i], __ATOMIC_RELAXED);
		uint32_t ip = dc->blocks_per_ip ? (uint32_t)(i / dc->blocks_per_ip) : 0;

		if (!CGNAT_BLOCK_OWNER(w) || ip >= p->n_pool)
			continue;
		ips[ip].blocks++;
		ips[ip].slots += CGNAT_BLOCK_USED(w);
		v[n].owner = CGNAT_BLOCK_OWNER(w);
		v[n].used = CGNAT_BLOCK_USED(w);
		v[n].blocks = 1;
		v[n].ip_index = ip;
		n++;
	}
	qsort(v, n, sizeof(*v), by_owner);
	for (i = 0; i < n; i++) {
		if (m && v[m - 1].owner == v[i].owner) {
			v[m - 1].used += v[i].used;
			v[m - 1].blocks++;
			continue;
		}
		v[m++] = v[i];
		ips[v[i].ip_index].subscribers++;
	}
	qsort(v, m, sizeof(*v), by_used_desc);
	*top = v;
	return m;
}

int ctl_stats(struct ctl *c, int argc, char **argv)
{
	const struct cgnat_config *dc;
	struct ip_use *ips;
	struct owner_use *top = NULL;
	size_t n_owners, i, show_top = 10;
	int all = argc > 1 && !strcmp(argv[1], "--all");
	uint64_t slots_per_ip;
	char name[64], ip[INET_ADDRSTRLEN];
	struct jsonw w;

	if (argc > 2 || (argc == 2 && !all)) {
		fprintf(stderr, "usage: cgnatctl stats [--all]\n");
		return CTL_USAGE;
	}
	if (ctl_need_dataplane(c))
		return CTL_ERROR;
	dc = &c->pin.cfg;
	ips = calloc(c->pin.n_pool ? c->pin.n_pool : 1, sizeof(*ips));
	if (!ips)
		return CTL_ERROR;
	n_owners = block_usage(&c->pin, ips, &top);
	slots_per_ip = (uint64_t)dc->blocks_per_ip * dc->block_size * CGNAT_NPROTO;
	if (show_top > n_owners)
		show_top = n_owners;

	if (c->json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w);
		jw_key(&w, "counters");
		jw_obj_begin(&w);
		for (i = 0; i < CGNAT_STAT_MAX; i++) {
			lower(stat_names[i], name, sizeof(name));
			jw_ku64(&w, name, pinned_stat(&c->pin, (unsigned)i));
		}
		jw_obj_end(&w);
		jw_key(&w, "public_addresses");
		jw_arr_begin(&w);
		for (i = 0; i < c->pin.n_pool; i++) {
			inet_ntop(AF_INET, &c->pin.pool[i], ip, sizeof(ip));
			jw_obj_begin(&w);
			jw_kstr(&w, "address", ip);
			jw_ku64(&w, "subscribers", ips[i].subscribers);
			jw_ku64(&w, "blocks_used", ips[i].blocks);
			jw_ku64(&w, "blocks_total", dc->blocks_per_ip);
			jw_ku64(&w, "ports_used", ips[i].slots);
			jw_ku64(&w, "ports_total", slots_per_ip);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_key(&w, "top_subscribers");
		jw_arr_begin(&w);
		for (i = 0; i < show_top; i++) {
			inet_ntop(AF_INET, &top[i].owner, ip, sizeof(ip));
			jw_obj_begin(&w);
			jw_kstr(&w, "inside_ip", ip);
			jw_ku64(&w, "ports_used", top[i].used);
			jw_ku64(&w, "blocks", top[i].blocks);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
		goto out;
	}
	printf("%-24s %14s  %s\n", "COUNTER", "VALUE", "MEANING");
	for (i = 0; i < CGNAT_STAT_MAX; i++) {
		uint64_t v = pinned_stat(&c->pin, (unsigned)i);

		if (!v && !all)
			continue;
		lower(stat_names[i], name, sizeof(name));
		printf("%-24s %14llu  %s\n", name, (unsigned long long)v, stat_help[i]);
	}
	printf("\n%-16s %11s %13s %22s\n", "PUBLIC ADDRESS", "SUBSCRIBERS", "BLOCKS",
	       "PORTS (tcp+udp+icmp)");
	for (i = 0; i < c->pin.n_pool; i++) {
		char blocks[32], ports[48];

		inet_ntop(AF_INET, &c->pin.pool[i], ip, sizeof(ip));
		snprintf(blocks, sizeof(blocks), "%u/%u", ips[i].blocks, dc->blocks_per_ip);
		snprintf(ports, sizeof(ports), "%llu/%llu (%.1f%%)",
			 (unsigned long long)ips[i].slots, (unsigned long long)slots_per_ip,
			 slots_per_ip ? 100.0 * (double)ips[i].slots / (double)slots_per_ip : 0.0);
		printf("%-16s %11u %13s %22s\n", ip, ips[i].subscribers, blocks, ports);
	}
	if (show_top) {
		printf("\n%-16s %10s %7s\n", "TOP SUBSCRIBERS", "PORTS", "BLOCKS");
		for (i = 0; i < show_top; i++) {
			inet_ntop(AF_INET, &top[i].owner, ip, sizeof(ip));
			printf("%-16s %10llu %7u\n", ip, (unsigned long long)top[i].used,
			       top[i].blocks);
		}
	}
out:
	free(top);
	free(ips);
	return CTL_OK;
}
