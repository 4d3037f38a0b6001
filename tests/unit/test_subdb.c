/* Unit tests for user/subdb.c: CSV forms, longest-prefix match, every
 * error message (FILE:LINE: what; hint: ...), and a million entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "subdb.h"

static char dir[64];
static char path[128];
static char err[512];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_subdb.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/subscribers.csv", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct subdb *load(const char *text)
{
	struct subdb *db;

	write_file(text);
	err[0] = '\0';
	db = subdb_load(path, err, sizeof(err));
	if (!db)
		print_error("unexpected error: %s\n", err);
	assert_non_null(db);
	return db;
}

static void load_fails(const char *text, unsigned line, const char *phrase)
{
	char where[160];

	write_file(text);
	assert_null(subdb_load(path, err, sizeof(err)));
	snprintf(where, sizeof(where), "%s:%u: ", path, line);
	if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, phrase))
		print_error("message: %s\nwanted: %s... %s\n", err, where, phrase);
	assert_int_equal(strncmp(err, where, strlen(where)), 0);
	assert_non_null(strstr(err, phrase));
	assert_non_null(strstr(err, "; hint: "));
}

static void lookup_is(const struct subdb *db, uint32_t ip, const char *want)
{
	const char *got = subdb_lookup(db, ip);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_forms_and_longest_match(void **state)
{
	struct subdb *db;

	(void)state;
	db = load("\xef\xbb\xbf# subscribers\n"
		  "\n"
		  "100.64.0.5,cust-0042\n"
		  "  100.64.1.0/24 ,\tbusiness-7  # a comment\r\n"
		  "100.64.1.77/32,vip:77@x/y_z.w-1\n"
		  "100.64.0.0/16,campus\n"
		  "   # indented comment\n"
		  "10.0.0.0/8,ten");
	assert_int_equal(subdb_size(db), 5);
	lookup_is(db, 0x64400005, "cust-0042");
	lookup_is(db, 0x64400006, "campus");
	lookup_is(db, 0x64400100, "business-7");
	lookup_is(db, 0x644001ff, "business-7");
	lookup_is(db, 0x6440014d, "vip:77@x/y_z.w-1");
	lookup_is(db, 0x6440ffff, "campus");
	lookup_is(db, 0x64410000, NULL);
	lookup_is(db, 0x0a123456, "ten");
	lookup_is(db, 0x0b000000, NULL);
	subdb_free(db);
}

static void test_empty_and_default(void **state)
{
	struct subdb *db;

	(void)state;
	db = load("");
	assert_int_equal(subdb_size(db), 0);
	lookup_is(db, 0x64400005, NULL);
	subdb_free(db);
	db = load("# nothing but comments\n\n");
	assert_int_equal(subdb_size(db), 0);
	subdb_free(db);
	db = load("0.0.0.0/0,everyone\n255.255.255.255,last\n");
	lookup_is(db, 0, "everyone");
	lookup_is(db, 0x64400005, "everyone");
	lookup_is(db, 0xffffffff, "last");
	subdb_free(db);
	assert_null(subdb_lookup(NULL, 1));
	subdb_free(NULL);
}

static void test_errors(void **state)
{
	char long_id[80];
	char text[200];

	(void)state;
	load_fails("100.64.0.5,a\n100.64.0.x,b\n", 2, "is not an IPv4 address or prefix");
	load_fails("100.64.0.05,a\n", 1, "is not an IPv4 address");
	load_fails("100.64.1.1/24,a\n", 1, "has host bits set; hint: use 100.64.1.0/24");
	load_fails("100.64.1.0/33,a\n", 1, "prefix length above 32");
	load_fails("100.64.1.0/,a\n", 1, "is not an IPv4 address or prefix");
	load_fails("#\n100.64.0.5\n", 2, "expected PREFIX_OR_IP,ID");
	load_fails("100.64.0.5,a,b\n", 1, "more than two fields");
	load_fails("100.64.0.5,\n", 1, "empty subscriber id");
	load_fails("100.64.0.5,   # no id\n", 1, "empty subscriber id");
	load_fails("100.64.0.5,cust 42\n", 1, "contains ' '");
	load_fails("100.64.0.5,cust\"42\n", 1, "contains '\"'");
	load_fails("100.64.0.5,caf\xc3\xa9\n", 1, "contains '?' (byte 0xc3)");
	memset(long_id, 'a', 65);
	long_id[65] = '\0';
	snprintf(text, sizeof(text), "100.64.0.5,%s\n", long_id);
	load_fails(text, 1, "65 characters long; hint: ids are at most 64");
	long_id[64] = '\0';
	snprintf(text, sizeof(text), "100.64.0.5,%s\n", long_id);
	subdb_free(load(text));
	load_fails("100.64.0.0/24,a\n100.64.0.5,b\n\n100.64.0.0/24,c\n", 4,
		   "duplicate prefix 100.64.0.0/24 (first at line 1)");
	load_fails("100.64.0.5,a\n100.64.0.5/32,a\n", 2, "duplicate prefix 100.64.0.5/32");
}

static void test_missing_file(void **state)
{
	char want[200];

	(void)state;
	snprintf(want, sizeof(want), "%s/nope.csv: cannot open: No such file or directory; hint: ",
		 dir);
	snprintf(path, sizeof(path), "%s/nope.csv", dir);
	assert_null(subdb_load(path, err, sizeof(err)));
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	snprintf(path, sizeof(path), "%s/subscribers.csv", dir);
}

static double seconds_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void test_million_entries(void **state)
{
	FILE *f = fopen(path, "w");
	struct subdb *db;
	struct timespec t;
	double load_s, lookup_s;
	char want[32];
	const unsigned n = 1000000;

	(void)state;
	assert_non_null(f);
	/* /32s from 100.64.0.0 upwards in a scrambled order, plus the /10 around them. */
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (unsigned)((uint64_t)i * 7919u % n);

		fprintf(f, "100.%u.%u.%u,c%u\n", 64 + (k >> 16), (k >> 8) & 255, k & 255, k);
	}
	fputs("100.64.0.0/10,rest\n", f);
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t);
	db = subdb_load(path, err, sizeof(err));
	load_s = seconds_since(&t);
	if (!db)
		print_error("%s\n", err);
	assert_non_null(db);
	assert_int_equal(subdb_size(db), n + 1);
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (unsigned k = 0; k < n; k++) {
		const char *id = subdb_lookup(db, 0x64400000u + k);

		if (k % 99991 == 0) {
			snprintf(want, sizeof(want), "c%u", k);
			assert_string_equal(id, want);
		}
	}
	lookup_s = seconds_since(&t);
	lookup_is(db, 0x64400000u + n, "rest");
	lookup_is(db, 0x64800000u, NULL);
	print_message("    1M entries: load %.2f s, 1M lookups %.2f s\n", load_s, lookup_s);
	assert_true(load_s < 20.0 && lookup_s < 10.0); /* generous: sanitizers are slow */
	subdb_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_and_longest_match),
		cmocka_unit_test(test_empty_and_default),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_million_entries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
