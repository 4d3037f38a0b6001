/* Unit tests for the YAML config parser (user/config.c, user/cfg_values.c).
 *
 * Most tests load a YAML string named "t.yaml" and check the return value
 * and, for errors, the exact "t.yaml:LINE:COLUMN:" plus a key phrase. Run
 * from the repository root (the example-config test opens every configs/ YAML file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "cfg_values.h"
#include "config.h"

/* Lines 1-7 of most test documents. */
#define IFACES "interfaces:\n  inside: eth1\n  outside: eth0\n"
#define SUBS "subscribers:\n  prefixes: [100.64.0.0/10]\n"
#define POOL "pool:\n  addresses: [198.51.100.0/28]\n"
#define BASE IFACES SUBS POOL

static struct cgnat_cfg cfg; /* large: keep it off the stack */
static struct cfg_error err;

static int load(const char *yaml)
{
	memset(&err, 0, sizeof(err));
	return cfg_load_string("t.yaml", yaml, &cfg, &err);
}

static void expect_ok(const char *yaml)
{
	int rc = load(yaml);

	if (rc != 0)
		print_error("unexpected error: %s\n", err.msg);
	assert_int_equal(rc, 0);
}

/* where: "t.yaml:LINE:COL: "; phrase: a part of the message. */
static void expect_fail(const char *yaml, const char *where, const char *phrase)
{
	int rc = load(yaml);

	if (rc != -1 || strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, phrase))
		print_error("rc=%d, message: %s\nwanted: %s... %s\n", rc, err.msg, where, phrase);
	assert_int_equal(rc, -1);
	assert_int_equal(strncmp(err.msg, where, strlen(where)), 0);
	assert_non_null(strstr(err.msg, phrase));
	assert_non_null(strstr(err.msg, "; hint: "));
}

/* ---- whole files ------------------------------------------------------- */

static void test_minimal_valid(void **state)
{
	(void)state;
	expect_ok(BASE);
	assert_string_equal(cfg.path, "t.yaml");
	assert_int_equal(cfg.n_inside, 1);
	assert_string_equal(cfg.inside[0], "eth1");
	assert_int_equal(cfg.n_outside, 1);
	assert_string_equal(cfg.outside[0], "eth0");
	assert_int_equal(cfg.n_prefixes, 1);
	assert_int_equal(cfg.prefixes[0].addr, 0x64400000);
	assert_int_equal(cfg.prefixes[0].len, 10);
	assert_int_equal(cfg.n_pool, 1);
	assert_int_equal(cfg.pool[0].first, 0xc6336400);
	assert_int_equal(cfg.pool[0].last, 0xc633640f);
	assert_int_equal(cfg.pool_size, 16);
	assert_int_equal(cfg_subscriber_count(&cfg), 1u << 22);
}

static void test_defaults_applied(void **state)
{
	(void)state;
	expect_ok(BASE);
	assert_int_equal(cfg.xdp_mode, CFG_XDP_NATIVE);
	assert_string_equal(cfg.subscriber_db, "");
	assert_int_equal(cfg.port_min, 1024);
	assert_int_equal(cfg.port_max, 65535);
	assert_int_equal(cfg.mode, CFG_MODE_PBA);
	assert_int_equal(cfg.block_size, 256);
	assert_int_equal(cfg.max_blocks_per_subscriber, 8);
	assert_int_equal(cfg.block_idle_timeout, 300);
	assert_int_equal(cfg.ports_per_subscriber, 0);
	assert_true(cfg.port_parity);
	assert_int_equal(cfg.filtering, CFG_FILTER_ENDPOINT_INDEPENDENT);
	assert_true(cfg.hairpinning);
	assert_int_equal(cfg.max_sessions, 1048576);
	assert_int_equal(cfg.max_sessions_per_subscriber, 4096);
	assert_int_equal(cfg.max_ports_per_subscriber, 8 * 256); /* derived after validation */
	assert_int_equal(cfg.icmp_error_rate, 100);
	assert_int_equal(cfg.timeout_udp, 300);
	assert_int_equal(cfg.timeout_tcp_established, 7440);
	assert_int_equal(cfg.timeout_tcp_transitory, 240);
	assert_int_equal(cfg.timeout_icmp, 60);
	assert_int_equal(cfg.port_hold, 120);
	assert_true(cfg.enforce_rfc_minimums);
	assert_string_equal(cfg.log_directory, "/var/log/cgnat");
	assert_int_equal(cfg.rotate_size, 256u << 20);
	assert_int_equal(cfg.rotate_interval, 3600);
	assert_int_equal(cfg.retention_days, 180);
	assert_false(cfg.log_destinations);
	assert_int_equal(cfg.flush_interval_ms, 1000);
	assert_string_equal(cfg.pin_path, "/sys/fs/bpf/cgnat");
	assert_false(cfg.keep_dataplane_on_exit);
	assert_int_equal(cfg.gc_interval_ms, 1000);
}

static void test_set_defaults_matches_load(void **state)
{
	static struct cgnat_cfg d;

	(void)state;
	cfg_set_defaults(&d);
	assert_int_equal(d.block_size, 256);
	assert_int_equal(d.timeout_tcp_established, 7440);
	assert_int_equal(d.max_ports_per_subscriber, 0); /* derived only by validation */
	assert_int_equal(d.n_pool, 0);
}

static void test_every_key_parsed(void **state)
{
	(void)state;
	expect_ok("interfaces:\n"
		  "  inside: [eth1, eth2]\n"
		  "  outside: [eth0]\n"
		  "  xdp_mode: generic\n"
		  "subscribers:\n"
		  "  prefixes: [100.64.0.0/16, 100.65.0.0/16]\n"
		  "  database: /etc/cgnat/subscribers.csv\n"
		  "pool:\n"
		  "  addresses: [203.0.113.10-203.0.113.20, 198.51.100.0/28, 192.0.2.1]\n"
		  "  ports: 2000 - 60000\n"
		  "mode: session\n"
		  "allocation:\n"
		  "  block_size: 512\n"
		  "  max_blocks_per_subscriber: 4\n"
		  "  block_idle_timeout: 1m30s\n"
		  "  ports_per_subscriber: 0\n"
		  "  port_parity: off\n"
		  "  filtering: address-dependent\n"
		  "  hairpinning: no\n"
		  "limits:\n"
		  "  max_sessions: 2048\n"
		  "  max_sessions_per_subscriber: 100\n"
		  "  max_ports_per_subscriber: 1000\n"
		  "  icmp_error_rate: 0\n"
		  "timeouts:\n"
		  "  udp: 10m\n"
		  "  tcp_established: 1d\n"
		  "  tcp_transitory: 300\n"
		  "  icmp: 2m\n"
		  "  port_hold: 3m\n"
		  "  enforce_rfc_minimums: yes\n"
		  "logging:\n"
		  "  directory: /srv/cgnat-logs\n"
		  "  rotate_size: 1G\n"
		  "  rotate_interval: 15m\n"
		  "  retention_days: 365\n"
		  "  log_destinations: true\n"
		  "  flush_interval: 250ms\n"
		  "dataplane:\n"
		  "  pin_path: /sys/fs/bpf/nat2\n"
		  "  keep_on_exit: on\n"
		  "  gc_interval: 200ms\n");
	assert_int_equal(cfg.n_inside, 2);
	assert_string_equal(cfg.inside[1], "eth2");
	assert_int_equal(cfg.xdp_mode, CFG_XDP_GENERIC);
	assert_int_equal(cfg.n_prefixes, 2);
	assert_string_equal(cfg.subscriber_db, "/etc/cgnat/subscribers.csv");
	/* Sorted by first address. */
	assert_int_equal(cfg.n_pool, 3);
	assert_int_equal(cfg.pool[0].first, 0xc0000201);
	assert_int_equal(cfg.pool[0].last, 0xc0000201);
	assert_int_equal(cfg.pool[1].first, 0xc6336400);
	assert_int_equal(cfg.pool[2].first, 0xcb00710a);
	assert_int_equal(cfg.pool[2].last, 0xcb007114);
	assert_int_equal(cfg.pool_size, 1 + 16 + 11);
	assert_int_equal(cfg.port_min, 2000);
	assert_int_equal(cfg.port_max, 60000);
	assert_int_equal(cfg.mode, CFG_MODE_SESSION);
	assert_int_equal(cfg.block_size, 512);
	assert_int_equal(cfg.max_blocks_per_subscriber, 4);
	assert_int_equal(cfg.block_idle_timeout, 90);
	assert_false(cfg.port_parity);
	assert_int_equal(cfg.filtering, CFG_FILTER_ADDRESS_DEPENDENT);
	assert_false(cfg.hairpinning);
	assert_int_equal(cfg.max_sessions, 2048);
	assert_int_equal(cfg.max_sessions_per_subscriber, 100);
	assert_int_equal(cfg.max_ports_per_subscriber, 1000);
	assert_int_equal(cfg.icmp_error_rate, 0);
	assert_int_equal(cfg.timeout_udp, 600);
	assert_int_equal(cfg.timeout_tcp_established, 86400);
	assert_int_equal(cfg.timeout_tcp_transitory, 300);
	assert_int_equal(cfg.timeout_icmp, 120);
	assert_int_equal(cfg.port_hold, 180);
	assert_true(cfg.enforce_rfc_minimums);
	assert_string_equal(cfg.log_directory, "/srv/cgnat-logs");
	assert_int_equal(cfg.rotate_size, 1u << 30);
	assert_int_equal(cfg.rotate_interval, 900);
	assert_int_equal(cfg.retention_days, 365);
	assert_true(cfg.log_destinations);
	assert_int_equal(cfg.flush_interval_ms, 250);
	assert_string_equal(cfg.pin_path, "/sys/fs/bpf/nat2");
	assert_true(cfg.keep_dataplane_on_exit);
	assert_int_equal(cfg.gc_interval_ms, 200);
}

static void test_example_configs_load(void **state)
{
	glob_t g;
	static struct cgnat_cfg c;

	(void)state;
	assert_int_equal(glob("configs/*.yaml", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 3);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		int rc = cfg_load_file(g.gl_pathv[i], &c, &err);

		if (rc != 0)
			print_error("%s\n", err.msg);
		assert_int_equal(rc, 0);
		assert_string_equal(c.path, g.gl_pathv[i]);
	}
	globfree(&g);
}

static void test_default_example_matches_defaults(void **state)
{
	static struct cgnat_cfg c;

	(void)state;
	assert_int_equal(cfg_load_file("configs/cgnat.yaml", &c, &err), 0);
	assert_string_equal(c.inside[0], "eth1");
	assert_string_equal(c.outside[0], "eth0");
	assert_int_equal(c.pool_size, 16 + 11);
	assert_int_equal(c.mode, CFG_MODE_PBA);
	assert_int_equal(c.timeout_tcp_established, 7440);
	assert_int_equal(c.rotate_size, 256u << 20);
	assert_int_equal(c.flush_interval_ms, 1000);
}

static void test_unreadable_file(void **state)
{
	(void)state;
	assert_int_equal(cfg_load_file("/nonexistent/cgnat.yaml", &cfg, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/cgnat.yaml: cannot open: No such file or directory; "
				     "hint: check the path and its permissions (cgnatd -c FILE)");
	assert_int_equal(cfg_load_file("configs", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "configs: cannot open: Is a directory"));
}

static void test_failure_leaves_cfg_untouched(void **state)
{
	(void)state;
	expect_ok(BASE "mode: session\n");
	assert_int_equal(cfg.mode, CFG_MODE_SESSION);
	expect_fail(BASE "mode: deterministic\nbogus: 1\n", "t.yaml:9:1: ", "unknown key");
	assert_int_equal(cfg.mode, CFG_MODE_SESSION);
}

static void test_empty_document(void **state)
{
	(void)state;
	expect_fail("", "t.yaml:1:1: ", "configuration is empty");
	expect_fail("# only a comment\n", "t.yaml:", "configuration is empty");
	expect_fail("---\n...\n", "t.yaml:", "configuration is empty");
}

static void test_root_not_mapping(void **state)
{
	(void)state;
	expect_fail("- a\n- b\n", "t.yaml:1:1: ", "must be a mapping of sections, not a list");
}

static void test_second_document(void **state)
{
	(void)state;
	expect_fail(BASE "---\nmode: pba\n", "t.yaml:8:1: ", "second YAML document");
}

static void test_yaml_syntax_error(void **state)
{
	(void)state;
	/* An unclosed flow sequence: libyaml reports where it gave up. */
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.0/10\npool:\n", "t.yaml:6:5: ",
		    "YAML syntax error");
	/* Bad indentation of a mapping value. */
	expect_fail("interfaces:\n  inside: eth1\n outside: eth0\n", "t.yaml:3:", "YAML syntax error");
}

/* ---- keys and types ---------------------------------------------------- */

static void test_unknown_key_top_level(void **state)
{
	(void)state;
	expect_fail(BASE "timeout:\n  udp: 5m\n", "t.yaml:8:1: ",
		    "unknown key 'timeout' at the top level; hint: did you mean 'timeouts'?");
}

static void test_unknown_key_nested(void **state)
{
	(void)state;
	expect_fail(IFACES "subscribers:\n  prefix: [100.64.0.0/10]\n" POOL, "t.yaml:5:3: ",
		    "unknown key 'prefix' in 'subscribers'; hint: did you mean 'prefixes'? "
		    "valid keys: prefixes, database");
}

static void test_unknown_key_no_suggestion(void **state)
{
	(void)state;
	expect_fail(BASE "logging:\n  colour: red\n", "t.yaml:9:3: ",
		    "unknown key 'colour' in 'logging'; hint: valid keys: directory,");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_fail(BASE "mode: pba\nmode: session\n", "t.yaml:9:1: ",
		    "duplicate key 'mode' at the top level; hint: remove one of them (the other is on line 8)");
}

static void test_wrong_node_types(void **state)
{
	(void)state;
	expect_fail(BASE "allocation:\n  block_size: [256]\n", "t.yaml:9:15: ",
		    "allocation.block_size must be a whole number, not a list");
	expect_fail(BASE "timeouts: 5m\n", "t.yaml:8:11: ", "'timeouts' must be a mapping of keys, not a single value");
	expect_fail(BASE "mode:\n  pba: true\n", "t.yaml:9:3: ", "mode must be one word, not a mapping");
	expect_fail("interfaces:\n  inside: {eth1: x}\n  outside: eth0\n" SUBS POOL, "t.yaml:2:11: ",
		    "interfaces.inside must be an interface name or a list of interface names, not a mapping");
	expect_fail("interfaces:\n  inside: [[eth1]]\n  outside: eth0\n" SUBS POOL, "t.yaml:2:12: ",
		    "interfaces.inside must be an interface name, not a list");
}

static void test_key_without_value(void **state)
{
	(void)state;
	expect_fail(BASE "allocation:\n  block_size:\n", "t.yaml:9:14: ",
		    "allocation.block_size has no value");
	/* A section without keys is all defaults. */
	expect_ok(BASE "logging:\n");
	assert_int_equal(cfg.retention_days, 180);
}

static void test_unknown_enum_value(void **state)
{
	(void)state;
	expect_fail(BASE "mode: pbaa\n", "t.yaml:8:7: ",
		    "mode: unknown value 'pbaa'; hint: did you mean 'pba'? valid values: pba, deterministic, session");
	expect_fail(BASE "allocation:\n  filtering: full-cone\n", "t.yaml:9:14: ",
		    "valid values: endpoint-independent, address-dependent");
	expect_fail("interfaces:\n  inside: eth1\n  outside: eth0\n  xdp_mode: driver\n" SUBS POOL,
		    "t.yaml:4:13: ", "unknown value 'driver'");
}

/* ---- interfaces -------------------------------------------------------- */

static void test_interfaces_list_and_single(void **state)
{
	(void)state;
	expect_ok("interfaces:\n  inside: [eth1, eth2, bond0.100]\n  outside: eth0\n" SUBS POOL);
	assert_int_equal(cfg.n_inside, 3);
	assert_string_equal(cfg.inside[2], "bond0.100");
	assert_int_equal(cfg.n_outside, 1);
	expect_ok("interfaces:\n  inside: eth1\n  outside:\n    - eth0\n    - eth3\n" SUBS POOL);
	assert_int_equal(cfg.n_inside, 1);
	assert_int_equal(cfg.n_outside, 2);
	assert_string_equal(cfg.outside[1], "eth3");
}

static void test_missing_inside(void **state)
{
	(void)state;
	expect_fail("interfaces:\n  outside: eth0\n" SUBS POOL, "t.yaml:2:3: ",
		    "missing required key 'inside' in 'interfaces'; hint: add 'inside: eth1'");
}

static void test_missing_outside(void **state)
{
	(void)state;
	expect_fail("interfaces:\n  inside: eth1\n" SUBS POOL, "t.yaml:2:3: ",
		    "missing required key 'outside' in 'interfaces'");
}

static void test_missing_interfaces_section(void **state)
{
	(void)state;
	expect_fail(SUBS POOL, "t.yaml:1:1: ", "missing required key 'interfaces' at the top level");
	expect_fail(IFACES POOL, "t.yaml:1:1: ", "missing required key 'subscribers'");
	expect_fail(IFACES SUBS, "t.yaml:1:1: ", "missing required key 'pool'");
	expect_fail(IFACES SUBS "pool:\n  ports: 1024-65535\n", "t.yaml:7:3: ",
		    "missing required key 'addresses' in 'pool'");
}

static void test_empty_interface_list(void **state)
{
	(void)state;
	expect_fail("interfaces:\n  inside: []\n  outside: eth0\n" SUBS POOL, "t.yaml:2:11: ",
		    "interfaces.inside lists no interface names");
	expect_fail("interfaces:\n  inside:\n  outside: eth0\n" SUBS POOL, "t.yaml:2:10: ",
		    "interfaces.inside lists no interface names");
}

static void test_same_interface_inside_and_outside(void **state)
{
	(void)state;
	expect_fail("interfaces:\n  inside: [eth1, eth0]\n  outside: eth0\n" SUBS POOL,
		    "t.yaml:3:12: ", "interface 'eth0' is both inside and outside");
}

static void test_bad_interface_names(void **state)
{
	(void)state;
	expect_fail("interfaces:\n  inside: averyveryverylongname\n  outside: eth0\n" SUBS POOL,
		    "t.yaml:2:11: ", "is 21 characters long");
	expect_fail("interfaces:\n  inside: [eth1, eth1]\n  outside: eth0\n" SUBS POOL,
		    "t.yaml:2:18: ", "interface 'eth1' is listed twice in interfaces.inside");
	expect_fail("interfaces:\n  inside: 'eth 1'\n  outside: eth0\n" SUBS POOL, "t.yaml:2:11: ",
		    "'eth 1' is not a valid interface name");
	expect_fail("interfaces:\n  inside: [a, b, c, d, e, f, g, h, i]\n  outside: eth0\n" SUBS POOL,
		    "t.yaml:2:36: ", "interfaces.inside lists more than 8 interface names");
}

/* ---- subscriber prefixes and pool -------------------------------------- */

static void test_bad_cidr_syntax(void **state)
{
	(void)state;
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0/10]\n" POOL, "t.yaml:5:14: ",
		    "'100.64.0/10' is not a CIDR prefix");
	expect_fail(IFACES "subscribers:\n  prefixes: 100.64.0.0\n" POOL, "t.yaml:5:13: ",
		    "'100.64.0.0' is not a CIDR prefix");
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.256/24]\n" POOL, "t.yaml:5:14: ",
		    "is not a CIDR prefix");
}

static void test_cidr_length_33(void **state)
{
	(void)state;
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.0/33]\n" POOL, "t.yaml:5:14: ",
		    "'100.64.0.0/33' has a prefix length above 32");
}

static void test_cidr_host_bits(void **state)
{
	(void)state;
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.1/10]\n" POOL, "t.yaml:5:14: ",
		    "'100.64.0.1/10' has host bits set; hint: use 100.64.0.0/10");
	expect_fail(IFACES SUBS "pool:\n  addresses: 198.51.100.5/28\n", "t.yaml:7:14: ",
		    "'198.51.100.5/28' has host bits set; hint: use 198.51.100.0/28");
}

static void test_overlapping_prefixes(void **state)
{
	(void)state;
	expect_fail(IFACES "subscribers:\n  prefixes:\n    - 100.64.0.0/10\n    - 100.64.1.0/24\n" POOL,
		    "t.yaml:7:7: ", "subscriber prefixes 100.64.0.0/10 and 100.64.1.0/24 overlap");
}

static void test_empty_pool(void **state)
{
	(void)state;
	expect_fail(IFACES SUBS "pool:\n  addresses: []\n", "t.yaml:7:14: ",
		    "pool.addresses lists no addresses");
}

static void test_overlapping_pool_ranges(void **state)
{
	(void)state;
	expect_fail(IFACES SUBS "pool:\n  addresses: [198.51.100.0/28, 198.51.100.8-198.51.100.20]\n",
		    "t.yaml:7:32: ",
		    "pool address ranges 198.51.100.0/28 and 198.51.100.8-198.51.100.20 overlap");
	/* Named in file order even though the later entry sorts first. */
	expect_fail(IFACES SUBS "pool:\n  addresses:\n    - 198.51.100.9\n    - 198.51.100.0/28\n",
		    "t.yaml:9:7: ", "pool address ranges 198.51.100.9 and 198.51.100.0/28 overlap");
}

static void test_pool_overlaps_prefixes(void **state)
{
	(void)state;
	expect_fail(IFACES SUBS "pool:\n  addresses: [198.51.100.0/28, 100.127.255.0/24]\n",
		    "t.yaml:7:32: ",
		    "pool entry 100.127.255.0/24 overlaps subscriber prefix 100.64.0.0/10");
}

static void test_pool_bad_entries(void **state)
{
	(void)state;
	expect_fail(IFACES SUBS "pool:\n  addresses: [198.51.100.20-198.51.100.10]\n", "t.yaml:7:15: ",
		    "pool range '198.51.100.20-198.51.100.10' ends before it starts");
	expect_fail(IFACES SUBS "pool:\n  addresses: [198.51.100.x]\n", "t.yaml:7:15: ",
		    "'198.51.100.x' is not an address, range or CIDR prefix");
	expect_fail(IFACES SUBS "pool:\n  addresses: [127.0.0.1]\n", "t.yaml:7:15: ",
		    "includes 127.0.0.0/8 (loopback)");
	expect_fail(IFACES SUBS "pool:\n  addresses: [0.0.0.0/8]\n", "t.yaml:7:15: ",
		    "includes 0.0.0.0/8");
	expect_fail(IFACES SUBS "pool:\n  addresses: [239.1.1.1]\n", "t.yaml:7:15: ",
		    "includes 224.0.0.0/4 (multicast)");
	expect_fail(IFACES SUBS "pool:\n  addresses: [255.255.255.0-255.255.255.255]\n",
		    "t.yaml:7:15: ", "includes 255.255.255.255 (broadcast)");
}

static void test_pool_too_large(void **state)
{
	(void)state;
	expect_ok(IFACES SUBS "pool:\n  addresses: [11.0.0.0/18]\n");
	assert_int_equal(cfg.pool_size, 16384);
	expect_fail(IFACES SUBS "pool:\n  addresses: [11.0.0.0/18, 12.0.0.1]\n", "t.yaml:7:14: ",
		    "pool has 16385 addresses, more than 16384; hint: each public address costs 768 KiB");
}

static void test_ports_below_1024(void **state)
{
	(void)state;
	expect_fail(BASE "  ports: 80-65535\n", "t.yaml:8:10: ",
		    "port range '80-65535' starts below 1024; hint: ports 0-1023 are never allocated dynamically (RFC 4787 REQ-3)");
}

static void test_bad_port_ranges(void **state)
{
	(void)state;
	expect_fail(BASE "  ports: 1024\n", "t.yaml:8:10: ", "'1024' is not a port range");
	expect_fail(BASE "  ports: 1024-70000\n", "t.yaml:8:10: ", "goes above 65535");
	expect_fail(BASE "  ports: 5000-4000\n", "t.yaml:8:10: ", "ends before it starts");
	expect_ok(BASE "  ports: 4000-4999\n");
	assert_int_equal(cfg.port_min, 4000);
	assert_int_equal(cfg_port_count(&cfg), 1000);
}

/* ---- values ------------------------------------------------------------ */

static void test_bad_durations(void **state)
{
	(void)state;
	expect_fail(BASE "timeouts:\n  udp: 5x\n", "t.yaml:9:8: ", "timeouts.udp: '5x' is not a duration");
	expect_fail(BASE "timeouts:\n  udp: 4m2h\n", "t.yaml:9:8: ", "'4m2h' is not a duration");
	expect_fail(BASE "timeouts:\n  udp: -5\n", "t.yaml:9:8: ", "'-5' is not a duration");
	expect_fail(BASE "timeouts:\n  udp: 500ms\n", "t.yaml:9:8: ",
		    "timeouts.udp: '500ms' is not a whole number of seconds");
	expect_fail(BASE "timeouts:\n  udp: 0\n", "t.yaml:9:8: ", "timeouts.udp must be at least 1s, got 0");
	expect_fail(BASE "allocation:\n  block_idle_timeout: 0s\n", "t.yaml:9:23: ",
		    "allocation.block_idle_timeout must be at least 1s");
	expect_fail(BASE "logging:\n  rotate_interval: 59\n", "t.yaml:9:20: ",
		    "logging.rotate_interval must be at least 1m, got 59");
}

static void test_millisecond_durations(void **state)
{
	(void)state;
	expect_ok(BASE "logging:\n  flush_interval: 500ms\ndataplane:\n  gc_interval: 1s200ms\n");
	assert_int_equal(cfg.flush_interval_ms, 500);
	assert_int_equal(cfg.gc_interval_ms, 1200);
	expect_fail(BASE "logging:\n  flush_interval: 5ms\n", "t.yaml:9:19: ",
		    "logging.flush_interval must be 10ms..1m, got 5ms");
	expect_fail(BASE "dataplane:\n  gc_interval: 61s\n", "t.yaml:9:16: ",
		    "dataplane.gc_interval must be 10ms..1m, got 61s");
}

static void test_bad_sizes(void **state)
{
	(void)state;
	expect_fail(BASE "logging:\n  rotate_size: 10Q\n", "t.yaml:9:16: ",
		    "logging.rotate_size: '10Q' is not a size");
	expect_fail(BASE "logging:\n  rotate_size: 1K\n", "t.yaml:9:16: ",
		    "logging.rotate_size must be at least 4096 bytes, got 1K");
	expect_ok(BASE "logging:\n  rotate_size: 4096\n");
	assert_int_equal(cfg.rotate_size, 4096);
}

static void test_bad_bools(void **state)
{
	(void)state;
	expect_fail(BASE "allocation:\n  port_parity: maybe\n", "t.yaml:9:16: ",
		    "allocation.port_parity: 'maybe' is not a boolean");
	expect_fail(BASE "allocation:\n  hairpinning: 1\n", "t.yaml:9:16: ", "is not a boolean");
	expect_ok(BASE "allocation:\n  port_parity: No\n  hairpinning: OFF\n");
	assert_false(cfg.port_parity);
	assert_false(cfg.hairpinning);
}

static void test_bad_numbers(void **state)
{
	(void)state;
	expect_fail(BASE "allocation:\n  block_size: 12abc\n", "t.yaml:9:15: ",
		    "allocation.block_size: '12abc' is not a whole number");
	expect_fail(BASE "allocation:\n  block_size: 4\n", "t.yaml:9:15: ",
		    "allocation.block_size must be 8..65535, got 4");
	expect_fail(BASE "allocation:\n  max_blocks_per_subscriber: 33\n", "t.yaml:9:30: ",
		    "must be 1..32, got 33");
	expect_fail(BASE "limits:\n  max_sessions: 99999999999\n", "t.yaml:9:17: ",
		    "limits.max_sessions must be 1024..67108864");
	expect_fail(BASE "limits:\n  icmp_error_rate: 100001\n", "t.yaml:9:20: ",
		    "limits.icmp_error_rate must be 0..100000");
	expect_fail(BASE "logging:\n  retention_days: 0\n", "t.yaml:9:19: ",
		    "logging.retention_days must be 1..36500");
}

static void test_relative_paths_rejected(void **state)
{
	(void)state;
	expect_fail(BASE "logging:\n  directory: var/log\n", "t.yaml:9:14: ",
		    "logging.directory must be an absolute path");
	expect_fail(BASE "dataplane:\n  pin_path: cgnat\n", "t.yaml:9:13: ",
		    "dataplane.pin_path must be an absolute path");
	/* The subscriber database may be relative, or empty for none. */
	expect_ok(IFACES "subscribers:\n  prefixes: 100.64.0.0/10\n  database: subs.csv\n" POOL);
	assert_string_equal(cfg.subscriber_db, "subs.csv");
	expect_ok(IFACES "subscribers:\n  prefixes: 100.64.0.0/10\n  database: ''\n" POOL);
	assert_string_equal(cfg.subscriber_db, "");
}

/* ---- timeouts and RFC minimums ----------------------------------------- */

static void test_timeouts_below_rfc_minimums(void **state)
{
	(void)state;
	expect_fail(BASE "timeouts:\n  udp: 60\n", "t.yaml:9:8: ",
		    "timeouts.udp 1m is below the RFC 4787 REQ-5 minimum of 2m; hint: use at least 2m, "
		    "or set timeouts.enforce_rfc_minimums: false for lab use");
	expect_fail(BASE "timeouts:\n  tcp_established: 2h\n", "t.yaml:9:20: ",
		    "timeouts.tcp_established 2h is below the RFC 5382 REQ-5 minimum of 2h4m");
	expect_fail(BASE "timeouts:\n  tcp_transitory: 3m\n", "t.yaml:9:19: ", "RFC 5382 REQ-5 minimum of 4m");
	expect_fail(BASE "timeouts:\n  icmp: 30s\n", "t.yaml:9:9: ", "RFC 5508 REQ-2 minimum of 1m");
	expect_fail(BASE "timeouts:\n  port_hold: 1m\n", "t.yaml:9:14: ", "RFC 6888 REQ-8 minimum of 2m");
}

static void test_short_timeouts_allowed_when_not_enforced(void **state)
{
	(void)state;
	expect_ok(BASE "timeouts:\n  enforce_rfc_minimums: false\n  udp: 10s\n  tcp_established: 1m\n"
		       "  tcp_transitory: 5s\n  icmp: 1\n  port_hold: 2s\n");
	assert_int_equal(cfg.timeout_udp, 10);
	assert_int_equal(cfg.timeout_tcp_established, 60);
	assert_int_equal(cfg.timeout_icmp, 1);
	assert_int_equal(cfg.port_hold, 2);
	assert_false(cfg.enforce_rfc_minimums);
}

static void test_enforce_key_after_timeouts(void **state)
{
	(void)state;
	expect_ok(BASE "timeouts:\n  udp: 10s\n  port_hold: 5s\n  enforce_rfc_minimums: no\n");
	assert_int_equal(cfg.timeout_udp, 10);
	assert_int_equal(cfg.port_hold, 5);
}

/* ---- modes and limits -------------------------------------------------- */

static void test_deterministic_derivation(void **state)
{
	(void)state;
	/* 256 subscribers on 4 addresses: 64 per address, 64512 / 64 = 1008 ports. */
	expect_ok(IFACES "subscribers:\n  prefixes: [100.64.0.0/24]\n"
			 "pool:\n  addresses: [198.51.100.0/30]\n  ports: 1024-65535\nmode: deterministic\n");
	assert_int_equal(cfg.mode, CFG_MODE_DETERMINISTIC);
	assert_int_equal(cfg_subscriber_count(&cfg), 256);
	assert_int_equal(cfg.ports_per_subscriber, 1008);
	assert_int_equal(cfg.max_ports_per_subscriber, 1008);
	/* Not a divisor: 320 subscribers on 4 addresses -> 80 per address -> 806 ports. */
	expect_ok(IFACES "subscribers:\n  prefixes: [100.64.0.0/24, 100.64.1.0/26]\n"
			 "pool:\n  addresses: [198.51.100.0/30]\nmode: deterministic\n");
	assert_int_equal(cfg_subscriber_count(&cfg), 320);
	assert_int_equal(cfg.ports_per_subscriber, 64512 / 80);
}

static void test_deterministic_explicit_ok(void **state)
{
	(void)state;
	expect_ok(IFACES "subscribers:\n  prefixes: [100.64.0.0/24]\n"
			 "pool:\n  addresses: [198.51.100.0/30]\nmode: deterministic\n"
			 "allocation:\n  ports_per_subscriber: 1000\nlimits:\n  max_ports_per_subscriber: 500\n");
	assert_int_equal(cfg.ports_per_subscriber, 1000);
	assert_int_equal(cfg.max_ports_per_subscriber, 500);
}

static void test_deterministic_explicit_too_large(void **state)
{
	(void)state;
	/* 2000 ports: 32 per address x 4 = 128 < 256. */
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.0/24]\n"
			   "pool:\n  addresses: [198.51.100.0/30]\nmode: deterministic\n"
			   "allocation:\n  ports_per_subscriber: 2000\n",
		    "t.yaml:10:25: ",
		    "with ports_per_subscriber 2000 the pool holds 128 subscribers (32 per address on 4 "
		    "addresses), but the prefixes cover 256; hint: use at most 1008");
}

static void test_deterministic_too_many_subscribers(void **state)
{
	(void)state;
	/* 2^22 subscribers on 16 addresses: 262144 per address, 0 ports each. */
	expect_fail(BASE "mode: deterministic\n", "t.yaml:5:13: ",
		    "deterministic mode: 4194304 subscribers on 16 pool addresses leave 0 ports each, fewer than 8; "
		    "hint: add pool addresses, widen pool.ports, or narrow the prefixes");
}

static void test_deterministic_bad_limits(void **state)
{
	(void)state;
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.0/24]\n"
			   "pool:\n  addresses: [198.51.100.0/30]\nmode: deterministic\n"
			   "allocation:\n  ports_per_subscriber: 4\n",
		    "t.yaml:10:25: ", "allocation.ports_per_subscriber must be 8..64512");
	expect_fail(IFACES "subscribers:\n  prefixes: [100.64.0.0/24]\n"
			   "pool:\n  addresses: [198.51.100.0/30]\nmode: deterministic\n"
			   "limits:\n  max_ports_per_subscriber: 2000\n",
		    "t.yaml:10:29: ", "more than the 1008 ports each subscriber owns");
}

static void test_ports_per_subscriber_in_pba_rejected(void **state)
{
	(void)state;
	expect_fail(BASE "allocation:\n  ports_per_subscriber: 1000\n", "t.yaml:9:25: ",
		    "allocation.ports_per_subscriber is only used in deterministic mode (mode is pba)");
	expect_fail(BASE "mode: session\nallocation:\n  ports_per_subscriber: 1000\n", "t.yaml:10:25: ",
		    "(mode is session)");
	expect_ok(BASE "allocation:\n  ports_per_subscriber: 0\n");
}

static void test_max_ports_above_blocks_rejected(void **state)
{
	(void)state;
	expect_fail(BASE "limits:\n  max_ports_per_subscriber: 2049\n", "t.yaml:9:29: ",
		    "limits.max_ports_per_subscriber 2049 is more than max_blocks_per_subscriber * block_size = 8 * 256 = 2048");
	expect_ok(BASE "limits:\n  max_ports_per_subscriber: 2048\n");
	assert_int_equal(cfg.max_ports_per_subscriber, 2048);
	expect_ok(BASE "allocation:\n  block_size: 1024\n  max_blocks_per_subscriber: 2\n");
	assert_int_equal(cfg.max_ports_per_subscriber, 2048);
}

static void test_block_size_larger_than_port_range(void **state)
{
	(void)state;
	expect_fail(BASE "  ports: 2000-2099\nallocation:\n  block_size: 128\n", "t.yaml:10:15: ",
		    "allocation.block_size 128 is larger than the 100 ports of pool.ports");
	/* Default block_size, so the port range is blamed. */
	expect_fail(BASE "  ports: 2000-2099\n", "t.yaml:8:10: ", "allocation.block_size 256 is larger");
}

static void test_sessions_per_subscriber_above_max(void **state)
{
	(void)state;
	expect_fail(BASE "limits:\n  max_sessions: 2000\n  max_sessions_per_subscriber: 3000\n",
		    "t.yaml:10:32: ", "limits.max_sessions_per_subscriber 3000 is more than limits.max_sessions 2000");
	/* Only max_sessions written: it is the one blamed. */
	expect_fail(BASE "limits:\n  max_sessions: 2000\n", "t.yaml:9:17: ",
		    "limits.max_sessions_per_subscriber 4096 is more than");
}

/* ---- value parsers ----------------------------------------------------- */

static void test_parse_prefix(void **state)
{
	struct cfg_prefix p;

	(void)state;
	assert_int_equal(cfg_parse_prefix("100.64.0.0/10", &p), 0);
	assert_int_equal(p.addr, 0x64400000);
	assert_int_equal(p.len, 10);
	assert_int_equal(cfg_parse_prefix("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(cfg_parse_prefix("255.255.255.255/32", &p), 0);
	assert_int_equal(p.addr, 0xffffffff);
	assert_int_equal(cfg_parse_prefix("10.0.0.1/32", &p), 0);
	assert_int_equal(cfg_parse_prefix("100.64.0.1/10", &p), -1); /* host bits */
	assert_int_equal(cfg_parse_prefix("100.64.0.0/33", &p), -1);
	assert_int_equal(cfg_parse_prefix("100.64.0.0/", &p), -1);
	assert_int_equal(cfg_parse_prefix("100.64.0.0", &p), -1);
	assert_int_equal(cfg_parse_prefix("100.64.0/10", &p), -1);
	assert_int_equal(cfg_parse_prefix("100.64.0.0.0/10", &p), -1);
	assert_int_equal(cfg_parse_prefix("256.0.0.0/8", &p), -1);
	assert_int_equal(cfg_parse_prefix("010.0.0.0/8", &p), -1); /* octal-looking */
	assert_int_equal(cfg_parse_prefix("10.0.0.0/8 ", &p), -1);
	assert_int_equal(cfg_parse_prefix(" 10.0.0.0/8", &p), -1);
	assert_int_equal(cfg_parse_prefix("10.0.0.0/-8", &p), -1);
	assert_int_equal(cfg_parse_prefix("10.0.0.0/99999999999999999999999", &p), -1);
	assert_int_equal(cfg_parse_prefix("", &p), -1);
}

static void test_parse_range(void **state)
{
	struct cfg_range r;

	(void)state;
	assert_int_equal(cfg_parse_range("203.0.113.10-203.0.113.20", &r), 0);
	assert_int_equal(r.first, 0xcb00710a);
	assert_int_equal(r.last, 0xcb007114);
	assert_int_equal(cfg_parse_range("203.0.113.10 - 203.0.113.20", &r), 0);
	assert_int_equal(r.last, 0xcb007114);
	assert_int_equal(cfg_parse_range("198.51.100.0/28", &r), 0);
	assert_int_equal(r.first, 0xc6336400);
	assert_int_equal(r.last, 0xc633640f);
	assert_int_equal(cfg_parse_range("192.0.2.1", &r), 0);
	assert_int_equal(r.first, r.last);
	assert_int_equal(cfg_parse_range("192.0.2.7-192.0.2.7", &r), 0);
	assert_int_equal(cfg_parse_range("0.0.0.0/0", &r), 0);
	assert_int_equal(r.first, 0);
	assert_int_equal(r.last, 0xffffffff);
	assert_int_equal(cfg_parse_range("192.0.2.9-192.0.2.8", &r), -1);
	assert_int_equal(cfg_parse_range("192.0.2.1/24", &r), -1);
	assert_int_equal(cfg_parse_range("192.0.2.1-", &r), -1);
	assert_int_equal(cfg_parse_range("192.0.2.1-192.0.2", &r), -1);
	assert_int_equal(cfg_parse_range("192.0.2.1--192.0.2.3", &r), -1);
	assert_int_equal(cfg_parse_range("192.0.2.1-192.0.2.3x", &r), -1);
	assert_int_equal(cfg_parse_range("", &r), -1);
}

static void test_parse_duration(void **state)
{
	uint32_t s;

	(void)state;
	assert_int_equal(cfg_parse_duration("300", &s), 0);
	assert_int_equal(s, 300);
	assert_int_equal(cfg_parse_duration("0", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(cfg_parse_duration("5m", &s), 0);
	assert_int_equal(s, 300);
	assert_int_equal(cfg_parse_duration("2h4m", &s), 0);
	assert_int_equal(s, 7440);
	assert_int_equal(cfg_parse_duration("90d", &s), 0);
	assert_int_equal(s, 90 * 86400);
	assert_int_equal(cfg_parse_duration("1d2h3m4s", &s), 0);
	assert_int_equal(s, 86400 + 7200 + 180 + 4);
	assert_int_equal(cfg_parse_duration("1000ms", &s), 0); /* whole seconds in ms */
	assert_int_equal(s, 1);
	assert_int_equal(cfg_parse_duration("4294967295", &s), 0);
	assert_int_equal(s, UINT32_MAX);
	assert_int_equal(cfg_parse_duration("4294967296", &s), -1);
	assert_int_equal(cfg_parse_duration("49710d", &s), 0);
	assert_int_equal(cfg_parse_duration("49711d", &s), -1); /* overflows 32-bit seconds */
	assert_int_equal(cfg_parse_duration("99999999999999999999999s", &s), -1);
	assert_int_equal(cfg_parse_duration("500ms", &s), -1); /* sub-second */
	assert_int_equal(cfg_parse_duration("1s500ms", &s), -1);
	assert_int_equal(cfg_parse_duration("4m2h", &s), -1); /* units out of order */
	assert_int_equal(cfg_parse_duration("1m1m", &s), -1);
	assert_int_equal(cfg_parse_duration("5", &s), 0);
	assert_int_equal(cfg_parse_duration("5x", &s), -1);
	assert_int_equal(cfg_parse_duration("m", &s), -1);
	assert_int_equal(cfg_parse_duration("2h4", &s), -1);
	assert_int_equal(cfg_parse_duration("-1", &s), -1);
	assert_int_equal(cfg_parse_duration("1.5h", &s), -1);
	assert_int_equal(cfg_parse_duration("5 m", &s), -1);
	assert_int_equal(cfg_parse_duration("", &s), -1);
}

static void test_parse_size(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(cfg_parse_size("4096", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(cfg_parse_size("0", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(cfg_parse_size("4K", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(cfg_parse_size("100M", &b), 0);
	assert_int_equal(b, 100ull << 20);
	assert_int_equal(cfg_parse_size("1G", &b), 0);
	assert_int_equal(b, 1ull << 30);
	assert_int_equal(cfg_parse_size("256m", &b), 0);
	assert_int_equal(b, 256ull << 20);
	assert_int_equal(cfg_parse_size("2GiB", &b), 0);
	assert_int_equal(b, 2ull << 30);
	assert_int_equal(cfg_parse_size("18446744073709551615", &b), 0);
	assert_int_equal(b, UINT64_MAX);
	assert_int_equal(cfg_parse_size("18446744073709551616", &b), -1);
	assert_int_equal(cfg_parse_size("17179869184G", &b), -1); /* 2^64 bytes */
	assert_int_equal(cfg_parse_size("10Q", &b), -1);
	assert_int_equal(cfg_parse_size("10MB", &b), -1);
	assert_int_equal(cfg_parse_size("1.5G", &b), -1);
	assert_int_equal(cfg_parse_size("M", &b), -1);
	assert_int_equal(cfg_parse_size("-1", &b), -1);
	assert_int_equal(cfg_parse_size("", &b), -1);
}

static void test_parse_port_range(void **state)
{
	uint16_t lo = 0, hi = 0;

	(void)state;
	assert_int_equal(cfgv_port_range("1024-65535", &lo, &hi), CFGV_OK);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 65535);
	assert_int_equal(cfgv_port_range("2000 - 2000", &lo, &hi), CFGV_OK);
	assert_int_equal(lo, 2000);
	assert_int_equal(hi, 2000);
	assert_int_equal(cfgv_port_range("0-0", &lo, &hi), CFGV_OK);
	assert_int_equal(cfgv_port_range("1024-65536", &lo, &hi), CFGV_RANGE);
	assert_int_equal(cfgv_port_range("99999999999999999999999-1", &lo, &hi), CFGV_RANGE);
	assert_int_equal(cfgv_port_range("5000-4000", &lo, &hi), CFGV_ORDER);
	assert_int_equal(cfgv_port_range("1024", &lo, &hi), CFGV_SYNTAX);
	assert_int_equal(cfgv_port_range("1024-", &lo, &hi), CFGV_SYNTAX);
	assert_int_equal(cfgv_port_range("-1024", &lo, &hi), CFGV_SYNTAX);
	assert_int_equal(cfgv_port_range("1024-2000x", &lo, &hi), CFGV_SYNTAX);
	assert_int_equal(cfgv_port_range("", &lo, &hi), CFGV_SYNTAX);
}

static void test_parse_duration_ms(void **state)
{
	uint64_t ms = 0;
	char buf[32];

	(void)state;
	assert_int_equal(cfgv_duration_ms("500ms", &ms), CFGV_OK);
	assert_int_equal(ms, 500);
	assert_int_equal(cfgv_duration_ms("1s200ms", &ms), CFGV_OK);
	assert_int_equal(ms, 1200);
	assert_int_equal(cfgv_duration_ms("2", &ms), CFGV_OK);
	assert_int_equal(ms, 2000);
	assert_int_equal(cfgv_duration_ms("1ms1s", &ms), CFGV_SYNTAX);
	assert_int_equal(cfgv_duration_ms("99999999999999999999ms", &ms), CFGV_RANGE);
	assert_int_equal(cfgv_duration_ms("99999999999999999999999", &ms), CFGV_RANGE);
	assert_string_equal(cfgv_duration_str(7440000, buf, sizeof(buf)), "2h4m");
	assert_string_equal(cfgv_duration_str(10, buf, sizeof(buf)), "10ms");
	assert_string_equal(cfgv_duration_str(0, buf, sizeof(buf)), "0s");
	assert_string_equal(cfgv_duration_str(90061001, buf, sizeof(buf)), "1d1h1m1s1ms");
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_string_equal(cfg_mode_name(CFG_MODE_PBA), "pba");
	assert_string_equal(cfg_mode_name(CFG_MODE_DETERMINISTIC), "deterministic");
	assert_string_equal(cfg_mode_name(CFG_MODE_SESSION), "session");
}

static void test_ring_buffer_size(void **state)
{
	(void)state;
	expect_ok(BASE "logging:\n  ring_buffer_size: 64M\n");
	assert_int_equal(cfg.ring_buffer_size, 64ull << 20);
	expect_ok(BASE);
	assert_int_equal(cfg.ring_buffer_size, 16ull << 20);
	expect_fail(BASE "logging:\n  ring_buffer_size: 4096\n", "t.yaml:9:21: ",
		    "must be at least 65536 bytes");
	expect_fail(BASE "logging:\n  ring_buffer_size: 100K\n", "t.yaml:9:21: ",
		    "must be a power of two between 64K and 1G");
	expect_fail(BASE "logging:\n  ring_buffer_size: 2G\n", "t.yaml:9:21: ",
		    "must be a power of two between 64K and 1G");
	expect_fail(BASE "logging:\n  ring_buffer_size: lots\n", "t.yaml:9:21: ", "is not a size");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_valid),
		cmocka_unit_test(test_defaults_applied),
		cmocka_unit_test(test_set_defaults_matches_load),
		cmocka_unit_test(test_every_key_parsed),
		cmocka_unit_test(test_example_configs_load),
		cmocka_unit_test(test_default_example_matches_defaults),
		cmocka_unit_test(test_ring_buffer_size),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_failure_leaves_cfg_untouched),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_root_not_mapping),
		cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_yaml_syntax_error),
		cmocka_unit_test(test_unknown_key_top_level),
		cmocka_unit_test(test_unknown_key_nested),
		cmocka_unit_test(test_unknown_key_no_suggestion),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_wrong_node_types),
		cmocka_unit_test(test_key_without_value),
		cmocka_unit_test(test_unknown_enum_value),
		cmocka_unit_test(test_interfaces_list_and_single),
		cmocka_unit_test(test_missing_inside),
		cmocka_unit_test(test_missing_outside),
		cmocka_unit_test(test_missing_interfaces_section),
		cmocka_unit_test(test_empty_interface_list),
		cmocka_unit_test(test_same_interface_inside_and_outside),
		cmocka_unit_test(test_bad_interface_names),
		cmocka_unit_test(test_bad_cidr_syntax),
		cmocka_unit_test(test_cidr_length_33),
		cmocka_unit_test(test_cidr_host_bits),
		cmocka_unit_test(test_overlapping_prefixes),
		cmocka_unit_test(test_empty_pool),
		cmocka_unit_test(test_overlapping_pool_ranges),
		cmocka_unit_test(test_pool_overlaps_prefixes),
		cmocka_unit_test(test_pool_bad_entries),
		cmocka_unit_test(test_pool_too_large),
		cmocka_unit_test(test_ports_below_1024),
		cmocka_unit_test(test_bad_port_ranges),
		cmocka_unit_test(test_bad_durations),
		cmocka_unit_test(test_millisecond_durations),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_bad_bools),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_relative_paths_rejected),
		cmocka_unit_test(test_timeouts_below_rfc_minimums),
		cmocka_unit_test(test_short_timeouts_allowed_when_not_enforced),
		cmocka_unit_test(test_enforce_key_after_timeouts),
		cmocka_unit_test(test_deterministic_derivation),
		cmocka_unit_test(test_deterministic_explicit_ok),
		cmocka_unit_test(test_deterministic_explicit_too_large),
		cmocka_unit_test(test_deterministic_too_many_subscribers),
		cmocka_unit_test(test_deterministic_bad_limits),
		cmocka_unit_test(test_ports_per_subscriber_in_pba_rejected),
		cmocka_unit_test(test_max_ports_above_blocks_rejected),
		cmocka_unit_test(test_block_size_larger_than_port_range),
		cmocka_unit_test(test_sessions_per_subscriber_above_max),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_parse_range),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_port_range),
		cmocka_unit_test(test_parse_duration_ms),
		cmocka_unit_test(test_mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
