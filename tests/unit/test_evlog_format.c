/* Unit tests for user/evlog_format.c: the exact JSON of every record type
 * (the field order is a contract), and a parser that round-trips them and
 * refuses torn or foreign lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "evlog_format.h"
#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define T0 (1795169703ULL * NS + 120000000) /* 2026-11-20T10:15:03.12Z */
#define TS "2026-11-20T10:15:03.120000000Z"

static char line[EVLOG_LINE_MAX];

static struct cgnat_event session(uint8_t type)
{
	struct cgnat_event ev = { 0 };

	ev.seq = 42;
	ev.time_ns = 1;
	ev.type = type;
	ev.proto = 6;
	ev.inside_ip = htonl(0x64400005);  /* 100.64.0.5 */
	ev.outside_ip = htonl(0xc6336407); /* 198.51.100.7 */
	ev.inside_port = htons(51000);
	ev.outside_port = htons(40000);
	ev.outside_port_last = htons(40000);
	ev.remote_ip = htonl(0xc0000201);  /* 192.0.2.1 */
	ev.remote_port = htons(443);
	return ev;
}

static struct cgnat_event block(uint8_t type)
{
	struct cgnat_event ev = session(type);

	ev.proto = 0;
	ev.inside_port = 0;
	ev.outside_port = htons(39936);
	ev.outside_port_last = htons(40191);
	ev.remote_ip = 0;
	ev.remote_port = 0;
	return ev;
}

static void fmt(const struct cgnat_event *ev, const char *id, bool dest, const char *want)
{
	int n = evlog_format_event(line, sizeof(line), ev, T0, id, dest);

	assert_true(n > 0);
	line[n] = '\0';
	assert_string_equal(line, want);
}

static void test_session_lines(void **state)
{
	struct cgnat_event ev = session(CGNAT_EV_SESSION_CREATE);

	(void)state;
	fmt(&ev, "cust-0042", false,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"session_create\",\"nat_event\":4,\"proto\":\"tcp\","
	    "\"subscriber\":\"cust-0042\",\"inside_ip\":\"100.64.0.5\",\"inside_port\":51000,"
	    "\"outside_ip\":\"198.51.100.7\",\"outside_port\":40000}\n");
	fmt(&ev, "cust-0042", true,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"session_create\",\"nat_event\":4,\"proto\":\"tcp\","
	    "\"subscriber\":\"cust-0042\",\"inside_ip\":\"100.64.0.5\",\"inside_port\":51000,"
	    "\"outside_ip\":\"198.51.100.7\",\"outside_port\":40000,\"dest_ip\":\"192.0.2.1\",\"dest_port\":443}\n");
	ev.remote_ip = 0; /* destination logging on, but the dataplane had none */
	ev.type = CGNAT_EV_SESSION_DELETE;
	ev.proto = 17;
	fmt(&ev, NULL, true,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"session_delete\",\"nat_event\":5,\"proto\":\"udp\","
	    "\"subscriber\":\"100.64.0.5\",\"inside_ip\":\"100.64.0.5\",\"inside_port\":51000,"
	    "\"outside_ip\":\"198.51.100.7\",\"outside_port\":40000}\n");
	ev.type = CGNAT_EV_SESSION_ACTIVE;
	ev.seq = 0;
	ev.proto = 1;
	fmt(&ev, "x", false,
	    "{\"time\":\"" TS "\",\"event\":\"session_active\",\"proto\":\"icmp\","
	    "\"subscriber\":\"x\",\"inside_ip\":\"100.64.0.5\",\"inside_port\":51000,"
	    "\"outside_ip\":\"198.51.100.7\",\"outside_port\":40000}\n");
}

static void test_block_lines(void **state)
{
	struct cgnat_event ev = block(CGNAT_EV_BLOCK_ALLOC);

	(void)state;
	fmt(&ev, "business-7", true,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"block_alloc\",\"nat_event\":16,"
	    "\"subscriber\":\"business-7\",\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
	    "\"outside_port_first\":39936,\"outside_port_last\":40191}\n");
	ev.type = CGNAT_EV_BLOCK_RELEASE;
	fmt(&ev, "business-7", false,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"block_release\",\"nat_event\":17,"
	    "\"subscriber\":\"business-7\",\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
	    "\"outside_port_first\":39936,\"outside_port_last\":40191}\n");
	ev.type = CGNAT_EV_BLOCK_ACTIVE;
	ev.seq = 0;
	fmt(&ev, "business-7", false,
	    "{\"time\":\"" TS "\",\"event\":\"block_active\","
	    "\"subscriber\":\"business-7\",\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
	    "\"outside_port_first\":39936,\"outside_port_last\":40191}\n");
}

static void test_limit_lines(void **state)
{
	struct cgnat_event ev = session(CGNAT_EV_QUOTA_EXCEEDED);

	(void)state;
	fmt(&ev, "cust-0042", true,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"quota_exceeded\",\"nat_event\":13,\"proto\":\"tcp\","
	    "\"subscriber\":\"cust-0042\",\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
	    "\"dest_ip\":\"192.0.2.1\",\"dest_port\":443}\n");
	ev = block(CGNAT_EV_PORTS_EXHAUSTED);
	fmt(&ev, "c", false,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"ports_exhausted\",\"nat_event\":12,"
	    "\"subscriber\":\"c\",\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\"}\n");
	ev.type = CGNAT_EV_ADDRESSES_EXHAUSTED;
	ev.inside_ip = 0;
	ev.outside_ip = 0;
	fmt(&ev, NULL, false,
	    "{\"seq\":42,\"time\":\"" TS "\",\"event\":\"addresses_exhausted\",\"nat_event\":3}\n");
}

static void test_markers_and_epoch(void **state)
{
	struct evlog_epoch e = { .epoch = 3, .mode = "deterministic", .port_min = 1024,
				 .port_max = 65535, .block_size = 2016, .blocks_per_ip = 32,
				 .n_pool = 2, .n_prefixes = 2 };
	struct evlog_epoch back;
	struct evlog_record r;
	int n;

	(void)state;
	n = evlog_format_marker(line, sizeof(line), EVLOG_EV_CHECKPOINT_BEGIN, T0, 7);
	assert_int_equal(n, (int)strlen("{\"time\":\"" TS "\",\"event\":\"checkpoint_begin\"}\n"));
	assert_memory_equal(line, "{\"time\":\"" TS "\",\"event\":\"checkpoint_begin\"}\n", (size_t)n);
	n = evlog_format_marker(line, sizeof(line), EVLOG_EV_CHECKPOINT_END, T0, 7);
	line[n] = '\0';
	assert_string_equal(line, "{\"time\":\"" TS "\",\"event\":\"checkpoint_end\",\"records\":7}\n");
	assert_int_equal(evlog_format_marker(line, sizeof(line), CGNAT_EV_BLOCK_ALLOC, T0, 0), -1);

	e.pool[0].first = 0xc6336400;
	e.pool[0].last = 0xc633640f;
	e.pool[1].first = e.pool[1].last = 0xcb007105;
	e.prefixes[0].addr = 0x64400000;
	e.prefixes[0].len = 22;
	e.prefixes[1].addr = 0x64800000;
	e.prefixes[1].len = 24;
	n = evlog_format_epoch(line, sizeof(line), &e, T0);
	line[n] = '\0';
	assert_string_equal(line,
			    "{\"time\":\"" TS "\",\"event\":\"config_epoch\",\"epoch\":3,\"mode\":\"deterministic\","
			    "\"port_min\":1024,\"port_max\":65535,\"block_size\":2016,\"blocks_per_ip\":32,"
			    "\"pool\":[\"198.51.100.0-198.51.100.15\",\"203.0.113.5-203.0.113.5\"],"
			    "\"prefixes\":[\"100.64.0.0/22\",\"100.128.0.0/24\"]}\n");
	assert_int_equal(evlog_parse_line(line, (size_t)n, &r, &back), 0);
	assert_int_equal(r.type, EVLOG_EV_CONFIG_EPOCH);
	assert_int_equal(r.time_ns, T0);
	assert_int_equal(back.epoch, 3);
	assert_string_equal(back.mode, "deterministic");
	assert_int_equal(back.block_size, 2016);
	assert_int_equal(back.blocks_per_ip, 32);
	assert_int_equal(back.port_min, 1024);
	assert_int_equal(back.port_max, 65535);
	assert_int_equal(back.n_pool, 2);
	assert_int_equal(back.pool[1].first, 0xcb007105);
	assert_int_equal(back.pool[0].last, 0xc633640f);
	assert_int_equal(back.n_prefixes, 2);
	assert_int_equal(back.prefixes[1].addr, 0x64800000);
	assert_int_equal(back.prefixes[1].len, 24);
	/* without an epoch to fill, the line still parses */
	assert_int_equal(evlog_parse_line(line, (size_t)n, &r, NULL), 0);
}

static void test_format_refuses(void **state)
{
	struct cgnat_event ev = session(99);

	(void)state;
	assert_int_equal(evlog_format_event(line, sizeof(line), &ev, T0, "x", false), -1);
	ev.type = EVLOG_EV_CONFIG_EPOCH;
	assert_int_equal(evlog_format_event(line, sizeof(line), &ev, T0, "x", false), -1);
	ev.type = CGNAT_EV_SESSION_CREATE;
	assert_int_equal(evlog_format_event(line, 40, &ev, T0, "x", false), -1);
	assert_null(evlog_event_name(99));
	assert_string_equal(evlog_event_name(CGNAT_EV_BLOCK_ACTIVE), "block_active");
}

static void test_round_trip_all_types(void **state)
{
	static const uint8_t types[] = {
		CGNAT_EV_SESSION_CREATE, CGNAT_EV_SESSION_DELETE, CGNAT_EV_SESSION_ACTIVE,
		CGNAT_EV_BLOCK_ALLOC, CGNAT_EV_BLOCK_RELEASE, CGNAT_EV_BLOCK_ACTIVE,
		CGNAT_EV_QUOTA_EXCEEDED, CGNAT_EV_PORTS_EXHAUSTED, CGNAT_EV_ADDRESSES_EXHAUSTED,
	};
	struct evlog_record r;

	(void)state;
	for (size_t i = 0; i < sizeof(types); i++) {
		bool blk = types[i] == CGNAT_EV_BLOCK_ALLOC || types[i] == CGNAT_EV_BLOCK_RELEASE ||
			   types[i] == CGNAT_EV_BLOCK_ACTIVE || types[i] == CGNAT_EV_PORTS_EXHAUSTED ||
			   types[i] == CGNAT_EV_ADDRESSES_EXHAUSTED;
		struct cgnat_event ev = blk ? block(types[i]) : session(types[i]);
		int n;

		ev.proto = blk ? 0 : 47; /* GRE: written as a number */
		n = evlog_format_event(line, sizeof(line), &ev, T0 + i, "a.b:c@d/e_f-g", true);
		assert_true(n > 0);
		assert_int_equal(evlog_parse_line(line, (size_t)n, &r, NULL), 0);
		assert_int_equal(r.type, types[i]);
		assert_int_equal(r.time_ns, T0 + i);
		assert_int_equal(r.seq, 42);
		assert_string_equal(r.subscriber, "a.b:c@d/e_f-g");
		assert_int_equal(r.inside_ip, 0x64400005);
		assert_int_equal(r.outside_ip, 0xc6336407);
		if (blk && types[i] >= CGNAT_EV_BLOCK_ALLOC) {
			assert_int_equal(r.outside_port, 39936);
			assert_int_equal(r.outside_port_last, 40191);
			assert_false(r.fields & EVLOG_F_PROTO);
		} else if (types[i] == CGNAT_EV_SESSION_CREATE || types[i] == CGNAT_EV_SESSION_DELETE ||
			   types[i] == CGNAT_EV_SESSION_ACTIVE) {
			assert_int_equal(r.proto, 47);
			assert_int_equal(r.inside_port, 51000);
			assert_int_equal(r.outside_port, 40000);
			assert_int_equal(r.outside_port_last, 40000);
			assert_true(r.fields & EVLOG_F_DEST);
			assert_int_equal(r.dest_ip, 0xc0000201);
			assert_int_equal(r.dest_port, 443);
		}
	}
}

static void test_id_escaping(void **state)
{
	struct cgnat_event ev = block(CGNAT_EV_BLOCK_ALLOC);
	struct evlog_record r;
	char id[300];
	int n;

	(void)state;
	n = evlog_format_event(line, sizeof(line), &ev, T0, "a\"b\\c\nd\x01" "e", false);
	assert_true(n > 0);
	assert_non_null(strstr(line, "\"subscriber\":\"a\\\"b\\\\c\\u000ad\\u0001e\""));
	assert_int_equal(evlog_parse_line(line, (size_t)n, &r, NULL), 0);
	assert_string_equal(r.subscriber, "a\"b\\c\nd\x01" "e");
	/* over-long ids are cut, never dropped */
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	n = evlog_format_event(line, sizeof(line), &ev, T0, id, false);
	assert_int_equal(evlog_parse_line(line, (size_t)n, &r, NULL), 0);
	assert_int_equal(strlen(r.subscriber), EVLOG_ID_MAX);
}

static void test_parse_tolerant_forms(void **state)
{
	struct evlog_record r;
	const char *s;

	(void)state;
	s = " { \"time\" : \"2026-11-20T10:15:03Z\" , \"event\" : \"checkpoint_begin\" ,"
	    " \"future\" : {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\"]} } \r\n";
	assert_int_equal(evlog_parse_line(s, strlen(s), &r, NULL), 0);
	assert_int_equal(r.type, EVLOG_EV_CHECKPOINT_BEGIN);
	assert_int_equal(r.time_ns, 1795169703ULL * NS);
	s = "{\"event\":\"block_alloc\",\"time\":\"2026-11-20T11:15:03+01:00\",\"subscriber\":\"\\u0063\","
	    "\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\",\"outside_port_first\":1024,"
	    "\"outside_port_last\":1024,\"nat_event\":16}";
	assert_int_equal(evlog_parse_line(s, strlen(s), &r, NULL), 0);
	assert_string_equal(r.subscriber, "c");
	assert_int_equal(r.outside_port_last, 1024);
}

static void parse_fails(const char *s)
{
	struct evlog_record r;

	if (evlog_parse_line(s, strlen(s), &r, NULL) == 0)
		print_error("accepted: %s\n", s);
	assert_int_equal(evlog_parse_line(s, strlen(s), &r, NULL), -1);
}

#define BLK_HEAD "{\"seq\":1,\"time\":\"" TS "\",\"event\":\"block_alloc\","
#define BLK_WHO "\"subscriber\":\"c\",\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","

static void test_parse_rejects(void **state)
{
	(void)state;
	parse_fails("");
	parse_fails("garbage");
	parse_fails("{}");
	parse_fails("[1,2]");
	parse_fails("{\"time\":\"" TS "\"}");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"reboot\"}");
	parse_fails("{\"time\":\"yesterday\",\"event\":\"checkpoint_begin\"}");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"checkpoint_begin\"} x");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"checkpoint_begin\",}");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"checkpoint_begin\",\"event\":\"checkpoint_end\"}");
	/* block record: missing field, bad values, wrong port keys, inconsistent nat_event */
	parse_fails(BLK_HEAD "\"subscriber\":\"c\",\"inside_ip\":\"100.64.0.5\",\"outside_port_first\":1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":3,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":1,\"outside_port_last\":65536}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":-1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":1.5,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":01,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":\"1\",\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port\":1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD BLK_WHO "\"outside_port_first\":1,\"outside_port_last\":2,\"nat_event\":4}");
	parse_fails(BLK_HEAD "\"subscriber\":\"c\",\"inside_ip\":\"100.64.0.256\",\"outside_ip\":\"198.51.100.7\","
		    "\"outside_port_first\":1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD "\"subscriber\":\"c\",\"inside_ip\":\"100.64.0.05\",\"outside_ip\":\"198.51.100.7\","
		    "\"outside_port_first\":1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD "\"subscriber\":\"a\tb\"," "\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
		    "\"outside_port_first\":1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD "\"subscriber\":\"\\ud800\"," "\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
		    "\"outside_port_first\":1,\"outside_port_last\":2}");
	parse_fails(BLK_HEAD "\"subscriber\":\"\\u0000\"," "\"inside_ip\":\"100.64.0.5\",\"outside_ip\":\"198.51.100.7\","
		    "\"outside_port_first\":1,\"outside_port_last\":2}");
	/* session record needs proto and inside_port; dest needs both halves */
	parse_fails("{\"time\":\"" TS "\",\"event\":\"session_create\"," BLK_WHO "\"inside_port\":1,\"outside_port\":2}");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"session_create\",\"proto\":\"sctp\"," BLK_WHO
		    "\"inside_port\":1,\"outside_port\":2}");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"session_create\",\"proto\":\"tcp\"," BLK_WHO
		    "\"inside_port\":1,\"outside_port\":2,\"dest_ip\":\"192.0.2.1\"}");
	/* epoch missing its pool */
	parse_fails("{\"time\":\"" TS "\",\"event\":\"config_epoch\",\"epoch\":1,\"mode\":\"deterministic\","
		    "\"port_min\":1024,\"port_max\":65535,\"block_size\":8,\"blocks_per_ip\":1,\"prefixes\":[]}");
	parse_fails("{\"time\":\"" TS "\",\"event\":\"config_epoch\",\"epoch\":1,\"mode\":\"deterministic\","
		    "\"port_min\":1024,\"port_max\":65535,\"block_size\":8,\"blocks_per_ip\":1,"
		    "\"pool\":[\"198.51.100.1/24\"],\"prefixes\":[]}");
}

/* Every prefix of a valid line is a torn line and must be refused. */
static void test_torn_prefixes(void **state)
{
	struct cgnat_event ev = session(CGNAT_EV_SESSION_CREATE);
	struct evlog_record r;
	int n = evlog_format_event(line, sizeof(line), &ev, T0, "cust-0042", true);

	(void)state;
	assert_int_equal(evlog_parse_line(line, (size_t)n, &r, NULL), 0);
	assert_int_equal(evlog_parse_line(line, (size_t)n - 1, &r, NULL), 0); /* without '\n' */
	for (int k = 0; k < n - 2; k++)
		assert_int_equal(evlog_parse_line(line, (size_t)k, &r, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_lines),
		cmocka_unit_test(test_block_lines),
		cmocka_unit_test(test_limit_lines),
		cmocka_unit_test(test_markers_and_epoch),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_round_trip_all_types),
		cmocka_unit_test(test_id_escaping),
		cmocka_unit_test(test_parse_tolerant_forms),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_torn_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
