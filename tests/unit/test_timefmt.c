/* Unit tests for user/timefmt.c: RFC 3339 output, the file-name stamp, and
 * parsing of every input form cgnatctl lookup accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
/* 2026-11-20T10:15:03Z */
#define T_REF 1795169703ULL

static uint64_t parse_ok(const char *s)
{
	uint64_t t = 0;
	const char *why = NULL;

	if (timefmt_parse(s, &t, &why) != 0)
		print_error("'%s' refused: %s\n", s, why);
	assert_int_equal(timefmt_parse(s, &t, &why), 0);
	return t;
}

static void parse_bad(const char *s, const char *phrase)
{
	uint64_t t = 0;
	const char *why = NULL;

	assert_int_equal(timefmt_parse(s, &t, &why), -1);
	assert_non_null(why);
	if (!strstr(why, phrase))
		print_error("'%s': message '%s' lacks '%s'\n", s, why, phrase);
	assert_non_null(strstr(why, phrase));
	assert_non_null(strstr(why, "; hint: "));
}

static void test_format_rfc3339(void **state)
{
	char buf[TIMEFMT_RFC3339_SIZE];

	(void)state;
	assert_int_equal(timefmt_rfc3339(T_REF * NS + 120000000, buf), 30);
	assert_string_equal(buf, "2026-11-20T10:15:03.120000000Z");
	timefmt_rfc3339(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000000Z");
	timefmt_rfc3339(UINT64_MAX, buf);
	assert_string_equal(buf, "2554-07-21T23:34:33.709551615Z");
	/* leap days and year ends */
	timefmt_rfc3339(951782400ULL * NS + 1, buf);
	assert_string_equal(buf, "2000-02-29T00:00:00.000000001Z");
	timefmt_rfc3339(4107542399ULL * NS + 999999999, buf);
	assert_string_equal(buf, "2100-02-28T23:59:59.999999999Z");
	timefmt_rfc3339(4107542400ULL * NS, buf);
	assert_string_equal(buf, "2100-03-01T00:00:00.000000000Z");
	timefmt_rfc3339(1798761599ULL * NS, buf);
	assert_string_equal(buf, "2026-12-31T23:59:59.000000000Z");
}

/* Every day from 1970 to 2400 against gmtime_r, and back through the parser. */
static void test_format_matches_libc(void **state)
{
	char buf[TIMEFMT_RFC3339_SIZE], want[64];

	(void)state;
	for (uint64_t day = 0; day < 157000; day += 1) {
		time_t secs = (time_t)(day * 86400 + (day * 7919) % 86400);
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
		timefmt_rfc3339((uint64_t)secs * NS, buf);
		assert_string_equal(buf, want);
		assert_int_equal(parse_ok(buf), (uint64_t)secs * NS);
	}
}

static void test_compact(void **state)
{
	char buf[TIMEFMT_COMPACT_SIZE];
	uint64_t t;

	(void)state;
	assert_int_equal(timefmt_compact(T_REF * NS + 999999999, buf), 16);
	assert_string_equal(buf, "20261120T101503Z");
	assert_int_equal(timefmt_parse_compact(buf, &t), 0);
	assert_int_equal(t, T_REF * NS);
	assert_int_equal(timefmt_parse_compact("20261320T101503Z", &t), -1);
	assert_int_equal(timefmt_parse_compact("20261120T101503", &t), -1);
	assert_int_equal(timefmt_parse_compact("20260229T000000Z", &t), -1);
	assert_int_equal(timefmt_parse_compact("2026112OT101503Z", &t), -1);
}

static void test_parse_rfc3339_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-20T10:15:03Z"), T_REF * NS);
	assert_int_equal(parse_ok("2026-11-20T10:15:03.12Z"), T_REF * NS + 120000000);
	assert_int_equal(parse_ok("2026-11-20T10:15:03.120000000Z"), T_REF * NS + 120000000);
	assert_int_equal(parse_ok("2026-11-20T10:15:03.000000001Z"), T_REF * NS + 1);
	assert_int_equal(parse_ok("2026-11-20t10:15:03z"), T_REF * NS);
	assert_int_equal(parse_ok("2026-11-20 10:15:03Z"), T_REF * NS);
	assert_int_equal(parse_ok("  2026-11-20T10:15:03Z\n"), T_REF * NS);
	assert_int_equal(parse_ok("2026-11-20T11:15:03+01:00"), T_REF * NS);
	assert_int_equal(parse_ok("2026-11-20T05:15:03.5-05:00"), T_REF * NS + 500000000);
	assert_int_equal(parse_ok("2026-11-21T00:00:03+13:45"), T_REF * NS);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1970-01-01T01:00:00+01:00"), 0);
	assert_int_equal(parse_ok("2554-07-21T23:34:33.709551615Z"), UINT64_MAX);
	/* a leap second reads as the next minute's first second */
	assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2017-01-01T00:00:00Z"));
	assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), 1709208000ULL * NS);
}

static void test_parse_unix(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1795169703"), T_REF * NS);
	assert_int_equal(parse_ok("1795169703.12"), T_REF * NS + 120000000);
	assert_int_equal(parse_ok("1795169703.123456789"), T_REF * NS + 123456789);
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("18446744073.709551615"), UINT64_MAX);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	parse_bad("", "empty");
	parse_bad("   ", "empty");
	parse_bad("yesterday", "not an RFC 3339");
	parse_bad("2026-11-20", "without a time");
	parse_bad("2026-11-20T10:15:03", "no time zone");
	parse_bad("2026-11-20T10:15:03.Z", "not an RFC 3339");
	parse_bad("2026-11-20T10:15:03.1234567891Z", "more than 9");
	parse_bad("1795169703.1234567891", "more than 9");
	parse_bad("1795169703.", "not an RFC 3339");
	parse_bad("1795169703x", "not an RFC 3339");
	parse_bad("-5", "not an RFC 3339");
	parse_bad("2026-02-29T00:00:00Z", "no such date");
	parse_bad("2026-13-01T00:00:00Z", "no such date");
	parse_bad("2026-11-20T24:00:00Z", "no such date");
	parse_bad("2026-11-20T10:60:00Z", "no such date");
	parse_bad("2026-11-20T10:15:61Z", "no such date");
	parse_bad("2026-11-20T10:15:03+24:00", "offset out of range");
	parse_bad("2026-11-20T10:15:03+0100", "not an RFC 3339");
	parse_bad("2026-11-20T10:15:03Z trailing", "not an RFC 3339");
	parse_bad("1969-12-31T23:59:59Z", "before 1970");
	parse_bad("1970-01-01T00:59:59+01:00", "before 1970");
	parse_bad("2554-07-21T23:34:33.709551616Z", "after 2554");
	parse_bad("9999-01-01T00:00:00Z", "no such date");
	parse_bad("18446744074", "after 2554");
	parse_bad("99999999999999999999999", "after 2554");
	parse_bad("26-11-20T10:15:03Z", "not an RFC 3339");
}

static void test_precision(void **state)
{
	(void)state;
	assert_int_equal(timefmt_precision_ns("2026-11-20T10:15:03Z"), 1000000000ULL);
	assert_int_equal(timefmt_precision_ns("2026-11-20T10:15:03.120Z"), 1000000ULL);
	assert_int_equal(timefmt_precision_ns("2026-11-20T10:15:03.1+01:00"), 100000000ULL);
	assert_int_equal(timefmt_precision_ns("2026-11-20T10:15:03.123456789Z"), 1ULL);
	assert_int_equal(timefmt_precision_ns("1795169703"), 1000000000ULL);
	assert_int_equal(timefmt_precision_ns("1795169703.12"), 10000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_rfc3339),
		cmocka_unit_test(test_format_matches_libc),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_parse_rfc3339_forms),
		cmocka_unit_test(test_parse_unix),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_precision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
