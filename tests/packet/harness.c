/* The packet tests' world and dataplane, see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpffs.h"
#include "cgnat.skel.h"
#include "pktbuild.h"

struct world W;
struct dp_inst D;

static const uint8_t MAC_IN[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 };
static const uint8_t MAC_OUT[6] = { 0x02, 0x00, 0x00, 0x00, 0x02, 0x01 };

void harness_mac_of(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	memcpy(mac + 1, &ip, 4);
	mac[5] = 0x01;
}

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void add_neigh(FILE *b, const char *dev, const char *ip)
{
	uint8_t m[6];

	harness_mac_of(ip4(ip), m);
	fprintf(b, "neigh replace %s lladdr %02x:%02x:%02x:%02x:%02x:%02x nud permanent dev %s\n",
		ip, m[0], m[1], m[2], m[3], m[4], m[5], dev);
}

/* Everything is configured with one `ip -batch`: fast, and one exit status. */
static int ip_batch(void (*write)(FILE *))
{
	char path[] = "/tmp/cgnat-pkt-ip-XXXXXX";
	int fd = mkstemp(path), rc;
	char cmd[128];
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	write(f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "ip -batch %s", path);
	rc = system(cmd);
	unlink(path);
	return rc == 0 ? 0 : -1;
}

static void world_commands(FILE *b)
{
	char ip[32];
	int i;

	fprintf(b, "link set lo up\n");
	fprintf(b, "link add " IF_IN " address 02:00:00:00:01:01 type veth peer name cgin1 "
		   "address 02:00:00:00:01:02\n");
	fprintf(b, "link add " IF_OUT " address 02:00:00:00:02:01 type veth peer name cgout1 "
		   "address 02:00:00:00:02:02\n");
	fprintf(b, "addr add 100.64.0.1/16 dev " IF_IN "\n");
	fprintf(b, "addr add 192.0.2.1/24 dev " IF_OUT "\n");
	fprintf(b, "link set cgin1 up\nlink set cgout1 up\n");
	fprintf(b, "link set " IF_IN " up\nlink set " IF_OUT " up\n");
	fprintf(b, "route add default via 192.0.2.254 dev " IF_OUT "\n");
	add_neigh(b, IF_OUT, "192.0.2.254");
	for (i = 2; i <= 40; i++) {
		snprintf(ip, sizeof(ip), "100.64.0.%d", i);
		add_neigh(b, IF_IN, ip);
		snprintf(ip, sizeof(ip), "100.64.1.%d", i);
		add_neigh(b, IF_IN, ip);
		snprintf(ip, sizeof(ip), "192.0.2.%d", i);
		add_neigh(b, IF_OUT, ip);
	}
}

/* libbpf's debug chatter is noise here; warnings and errors are shown. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int world_setup(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "packet tests: must run as root (network namespace, BPF)\n");
		return -1;
	}
	libbpf_set_print(libbpf_print);
	if (unshare(CLONE_NEWNET)) {
		perror("packet tests: unshare(CLONE_NEWNET)");
		return -1;
	}
	/* No IPv6 autoconfiguration chatter reaching the XDP programs. */
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	if (ip_batch(world_commands)) {
		fprintf(stderr, "packet tests: building the namespace with ip failed\n");
		return -1;
	}
	if (write_file("/proc/sys/net/ipv4/ip_forward", "1")) {
		perror("packet tests: enable ip_forward");
		return -1;
	}
	W.if_in = (int)if_nametoindex(IF_IN);
	W.if_out = (int)if_nametoindex(IF_OUT);
	memcpy(W.mac_in, MAC_IN, 6);
	memcpy(W.mac_out, MAC_OUT, 6);
	W.addr_in = ip4("100.64.0.1");
	W.addr_out = ip4("192.0.2.1");
	W.ncpus = libbpf_num_possible_cpus();
	if (!W.if_in || !W.if_out || W.ncpus <= 0) {
		fprintf(stderr, "packet tests: interfaces missing after setup\n");
		return -1;
	}
	return 0;
}

/* ---- dataplane ---------------------------------------------------------- */

static char *compose(const char *body)
{
	static const char head[] = "interfaces:\n"
				   "  inside: " IF_IN "\n"
				   "  outside: " IF_OUT "\n"
				   "  xdp_mode: native\n"
				   "dataplane:\n"
				   "  pin_path: %s\n"
				   "%s";
	char *yaml = NULL;

	if (asprintf(&yaml, head, D.pin, body) < 0)
		return NULL;
	return yaml;
}

static int load_cfg(const char *body, struct cgnat_cfg *cfg)
{
	struct cfg_error err;
	char *yaml = compose(body);
	int rc;

	if (!yaml)
		return -1;
	rc = cfg_load_string("packet-test.yaml", yaml, cfg, &err);
	if (rc)
		fprintf(stderr, "packet tests: config rejected: %s\n--- config ---\n%s--------------\n",
			err.msg, yaml);
	free(yaml);
	return rc;
}

static void remove_pins_at_exit(void)
{
	dp_down();
}

/* Interrupted: the namespace dies with the process, the pins would not. */
static void remove_pins_on_signal(int sig)
{
	if (D.up)
		bpffs_remove_dir(D.pin);
	signal(sig, SIG_DFL);
	raise(sig);
}

int dp_up(const char *body)
{
	static int registered;
	char err[1024] = "";

	dp_down();
	snprintf(D.pin, sizeof(D.pin), "/sys/fs/bpf/cgnat-pkt-%d", (int)getpid());
	if (!registered) {
		atexit(remove_pins_at_exit);
		signal(SIGPIPE, SIG_IGN); /* e.g. piped into head: finish and clean up */
		signal(SIGINT, remove_pins_on_signal);
		signal(SIGTERM, remove_pins_on_signal);
		registered = 1;
	}
	if (load_cfg(body, &D.cfg))
		return -1;
	if (dp_open(&D.dp, &D.cfg, true, err, sizeof(err))) {
		fprintf(stderr, "packet tests: dp_open: %s\n", err);
		bpffs_remove_dir(D.pin);
		return -1;
	}
	D.up = 1;
	if (dp_apply_config(&D.dp, &D.cfg, err, sizeof(err)) ||
	    dp_attach(&D.dp, &D.cfg, err, sizeof(err))) {
		fprintf(stderr, "packet tests: %s\n", err);
		dp_down();
		return -1;
	}
	return 0;
}

int dp_reload(const char *body)
{
	struct cgnat_cfg next;
	char err[1024] = "";

	if (!D.up || load_cfg(body, &next))
		return -1;
	if (dp_check_reload(&D.cfg, &next, err, sizeof(err)) ||
	    dp_apply_config(&D.dp, &next, err, sizeof(err))) {
		fprintf(stderr, "packet tests: reload: %s\n", err);
		return -1;
	}
	D.cfg = next;
	return 0;
}

void dp_down(void)
{
	if (!D.up)
		return;
	dp_detach(&D.dp, &D.cfg);
	dp_close(&D.dp);
	bpffs_remove_dir(D.pin);
	D.up = 0;
}

int world_out_mtu(unsigned int mtu)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "ip link set dev %s mtu %u", IF_OUT, mtu);
	return system(cmd) == 0 ? 0 : -1;
}

int teardown_clean(void)
{
	__u32 id_in = 0, id_out = 0;

	if (access(D.pin, F_OK) == 0)
		return 0;
	if (bpf_xdp_query_id(W.if_in, 0, &id_in) || bpf_xdp_query_id(W.if_out, 0, &id_out))
		return 0;
	return id_in == 0 && id_out == 0;
}

/* ---- running programs --------------------------------------------------- */

int prog_run(enum prog_kind prog, int tc_ingress, const uint8_t *in, size_t len, uint8_t *out,
	     size_t *out_len, uint32_t *verdict)
{
	struct cgnat *s = D.dp.skel;
	struct xdp_md xctx = { 0 };
	struct __sk_buff sctx = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = PKT_MAX, .repeat = 1);
	int fd, r;

	if (prog == P_TC) {
		fd = bpf_program__fd(s->progs.cgnat_tc_egress);
		sctx.ifindex = (uint32_t)W.if_out;
		sctx.ingress_ifindex = (uint32_t)tc_ingress;
		o.ctx_in = &sctx;
		o.ctx_size_in = sizeof(sctx);
	} else {
		fd = bpf_program__fd(prog == P_IN ? s->progs.cgnat_xdp_inside
						  : s->progs.cgnat_xdp_outside);
		xctx.ingress_ifindex = (uint32_t)(prog == P_IN ? W.if_in : W.if_out);
		/* The kernel refuses (EINVAL) test runs with less than an
		 * Ethernet header of data, metadata or not. */
		xctx.data_end = (uint32_t)len;
		o.ctx_in = &xctx;
		o.ctx_size_in = sizeof(xctx);
	}
	r = bpf_prog_test_run_opts(fd, &o);
	if (r)
		return -errno;
	*verdict = o.retval;
	*out_len = o.data_size_out;
	return 0;
}

/* ---- maps ----------------------------------------------------------------- */

void stats_read(uint64_t s[CGNAT_STAT_MAX])
{
	int fd = bpf_map__fd(D.dp.skel->maps.cgnat_stats);
	uint64_t *v = calloc((size_t)W.ncpus, sizeof(*v));
	uint32_t k;
	int c;

	for (k = 0; k < CGNAT_STAT_MAX; k++) {
		s[k] = 0;
		if (v && bpf_map_lookup_elem(fd, &k, v) == 0)
			for (c = 0; c < W.ncpus; c++)
				s[k] += v[c];
	}
	free(v);
}

const char *stat_name(int stat)
{
#define STAT_NAME(name, help) #name,
	static const char *names[] = { CGNAT_STATS(STAT_NAME) };
#undef STAT_NAME
	return stat >= 0 && stat < CGNAT_STAT_MAX ? names[stat] : "?";
}

static long count_keys(int fd, size_t key_size)
{
	uint8_t key[64], next[64];
	void *prev = NULL;
	long n = 0;

	if (key_size > sizeof(key))
		return -1;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int stat_per_cpu(int stat, uint64_t *vals, int n)
{
	uint64_t all[1024] = { 0 };
	uint32_t key = (uint32_t)stat;
	int ncpus = libbpf_num_possible_cpus();

	if (ncpus <= 0 || ncpus > 1024 || n > ncpus ||
	    bpf_map_lookup_elem(bpf_map__fd(D.dp.skel->maps.cgnat_stats), &key, all))
		return -1;
	memcpy(vals, all, (size_t)n * sizeof(*vals));
	return 0;
}

int port_draws(uint64_t *vals, int write)
{
	int fd = bpf_map__fd(D.dp.skel->maps.cgnat_port_draw);
	int ncpus = libbpf_num_possible_cpus();
	uint32_t zero = 0;

	if (ncpus <= 0 || ncpus > 1024)
		return -1;
	if (write ? bpf_map_update_elem(fd, &zero, vals, BPF_ANY)
		  : bpf_map_lookup_elem(fd, &zero, vals))
		return -1;
	return ncpus;
}

static int count_one(void *arg, const struct cgnat_mapping_key *k, const struct cgnat_mapping *m)
{
	(void)k;
	(void)m;
	++*(long *)arg;
	return 0;
}

long count_mappings(void)
{
	long n = 0;

	session_table_walk_all(&D.dp.sessions, count_one, &n);
	return n;
}

long count_peers(void)
{
	return count_keys(bpf_map__fd(D.dp.skel->maps.cgnat_peers), sizeof(struct cgnat_peer_key));
}

int mapping_lookup(uint32_t inside_ip, uint16_t inside_port, uint8_t slot,
		   struct cgnat_mapping *m)
{
	struct cgnat_mapping_key k = {
		.inside_ip = inside_ip, .inside_port = htons(inside_port), .proto = slot,
	};

	return session_table_find(&D.dp.sessions, &k, m);
}

int subscriber_lookup(uint32_t inside_ip, struct cgnat_subscriber *s)
{
	return bpf_map_lookup_elem(bpf_map__fd(D.dp.skel->maps.cgnat_subscribers), &inside_ip, s)
		       ? -1 : 0;
}

int config_read(struct cgnat_config *c)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(D.dp.skel->maps.cgnat_config), &zero, c) ? -1 : 0;
}

int pool_index(uint32_t ip)
{
	int64_t i = addrplan_pool_index(&D.dp.plan, ntohl(ip));

	return i < 0 ? -1 : (int)i;
}

uint16_t free_pool_port(uint32_t ip, uint8_t slot)
{
	int idx = pool_index(ip);
	uint32_t port, last = D.dp.plan.geom.port_min +
			      D.dp.plan.geom.blocks_per_ip * D.dp.plan.geom.block_size - 1;

	if (idx < 0)
		return 0;
	/* From the top down: far from where the tests' few blocks likely are. */
	for (port = last; port >= D.dp.plan.geom.port_min; port--)
		if (D.dp.slots[cgnat_port_slot((uint32_t)idx, slot, port)] == CGNAT_SLOT_FREE)
			return (uint16_t)port;
	return 0;
}

struct drain {
	struct cgnat_event *out;
	int max, n;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct drain *d = ctx;

	if (d->n < d->max && size >= sizeof(struct cgnat_event))
		memcpy(&d->out[d->n], data, sizeof(struct cgnat_event));
	d->n++;
	return 0;
}

int events_drain(struct cgnat_event *out, int max)
{
	struct drain d = { .out = out, .max = max };
	struct ring_buffer *rb =
		ring_buffer__new(bpf_map__fd(D.dp.skel->maps.cgnat_events), on_event, &d, NULL);

	if (!rb)
		return -1;
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return d.n;
}
