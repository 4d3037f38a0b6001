/* RFC 3339 and Unix-seconds timestamps; see timefmt.h.
 *
 * The civil-calendar arithmetic is done here rather than with gmtime_r and
 * timegm so the result never depends on the TZ environment or on locale,
 * and so formatting stays cheap on the logging hot path.
 */
#include "timefmt.h"

#include <stdbool.h>
#include <string.h>

#define SECS_PER_DAY 86400ULL
#define YEAR_MIN 1970
#define YEAR_MAX 2554 /* UINT64_MAX nanoseconds is in July 2554 */

static const char BAD_FORM[] =
	"not an RFC 3339 time or Unix seconds; hint: write e.g. 2026-11-20T10:15:03Z, "
	"2026-11-20T11:15:03.12+01:00 or 1795169703.12";

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in [1, y]. */
static uint64_t leaps_through(unsigned y)
{
	return y / 4 - y / 100 + y / 400;
}

static uint64_t days_before_year(unsigned y)
{
	return 365ULL * (y - YEAR_MIN) + leaps_through(y - 1) - leaps_through(YEAR_MIN - 1);
}

static const unsigned short days_before_month[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
};

static unsigned month_length(unsigned y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return len[m - 1] + (m == 2 && is_leap(y));
}

static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	return days_before_year(y) + days_before_month[m - 1] + (m > 2 && is_leap(y)) + d - 1;
}

static void civil_from_days(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	/* days / 366 never overshoots; the loop corrects by at most two years. */
	unsigned year = YEAR_MIN + (unsigned)(days / 366);
	unsigned month = 1;
	unsigned yday;

	while (days_before_year(year + 1) <= days)
		year++;
	yday = (unsigned)(days - days_before_year(year));
	while (month < 12 && yday >= days_before_month[month] + (unsigned)(month >= 2 && is_leap(year)))
		month++;
	*y = year;
	*m = month;
	*d = yday - days_before_month[month - 1] - (month > 2 && is_leap(year)) + 1;
}

static void put_digits(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Fill y, mo, d, h, mi, s of utc_ns; returns the nanosecond part. */
static uint32_t split(uint64_t utc_ns, unsigned f[6])
{
	uint64_t secs = utc_ns / TIMEFMT_NS_PER_SEC;
	uint64_t sod = secs % SECS_PER_DAY;

	civil_from_days(secs / SECS_PER_DAY, &f[0], &f[1], &f[2]);
	f[3] = (unsigned)(sod / 3600);
	f[4] = (unsigned)(sod / 60 % 60);
	f[5] = (unsigned)(sod % 60);
	return (uint32_t)(utc_ns % TIMEFMT_NS_PER_SEC);
}

size_t timefmt_rfc3339(uint64_t utc_ns, char buf[TIMEFMT_RFC3339_SIZE])
{
	unsigned f[6];
	uint32_t ns = split(utc_ns, f);

	memcpy(buf, "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", TIMEFMT_RFC3339_SIZE);
	put_digits(buf, f[0], 4);
	put_digits(buf + 5, f[1], 2);
	put_digits(buf + 8, f[2], 2);
	put_digits(buf + 11, f[3], 2);
	put_digits(buf + 14, f[4], 2);
	put_digits(buf + 17, f[5], 2);
	put_digits(buf + 20, ns, 9);
	return TIMEFMT_RFC3339_SIZE - 1;
}

size_t timefmt_compact(uint64_t utc_ns, char buf[TIMEFMT_COMPACT_SIZE])
{
	unsigned f[6];

	split(utc_ns, f);
	memcpy(buf, "YYYYMMDDTHHMMSSZ", TIMEFMT_COMPACT_SIZE);
	put_digits(buf, f[0], 4);
	put_digits(buf + 4, f[1], 2);
	put_digits(buf + 6, f[2], 2);
	put_digits(buf + 9, f[3], 2);
	put_digits(buf + 11, f[4], 2);
	put_digits(buf + 13, f[5], 2);
	return TIMEFMT_COMPACT_SIZE - 1;
}

/* Exactly n decimal digits at *p; advances *p. */
static bool take_fixed(const char **p, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Optional ".ddd" (1-9 digits) at *p as nanoseconds; advances *p. */
static int take_fraction(const char **p, uint32_t *ns, const char **why)
{
	const char *s = *p;
	uint32_t v = 0;
	int n = 0;

	*ns = 0;
	if (*s != '.')
		return 0;
	for (s++; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == 9) {
			*why = "more than 9 fraction digits; hint: nanoseconds are the finest resolution, drop the extra digits";
			return -1;
		}
		v = v * 10 + (uint32_t)(*s - '0');
	}
	if (n == 0) {
		*why = BAD_FORM;
		return -1;
	}
	for (int i = n; i < 9; i++)
		v *= 10;
	*ns = v;
	*p = s;
	return 0;
}

static int combine(uint64_t secs, uint32_t ns, uint64_t *out, const char **why)
{
	if (secs > UINT64_MAX / TIMEFMT_NS_PER_SEC ||
	    secs * TIMEFMT_NS_PER_SEC > UINT64_MAX - ns) {
		*why = "time is after 2554-07-21; hint: check the year";
		return -1;
	}
	*out = secs * TIMEFMT_NS_PER_SEC + ns;
	return 0;
}

static int parse_unix(const char *s, const char *end, uint64_t *out, const char **why)
{
	uint64_t secs = 0;
	uint32_t ns;
	int digits = 0;

	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++) {
		if (secs > (UINT64_MAX - 9) / 10) {
			*why = "time is after 2554-07-21; hint: Unix time is in seconds, not milliseconds";
			return -1;
		}
		secs = secs * 10 + (uint64_t)(*s - '0');
	}
	if (digits == 0) {
		*why = BAD_FORM;
		return -1;
	}
	if (take_fraction(&s, &ns, why) < 0)
		return -1;
	if (s != end) {
		*why = BAD_FORM;
		return -1;
	}
	return combine(secs, ns, out, why);
}

static int parse_rfc3339(const char *s, const char *end, uint64_t *out, const char **why)
{
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	uint32_t ns;
	int64_t offset = 0; /* seconds east of UTC */
	uint64_t secs;

	if (!take_fixed(&s, 4, &y) || *s++ != '-' || !take_fixed(&s, 2, &mo) || *s++ != '-' ||
	    !take_fixed(&s, 2, &d)) {
		*why = BAD_FORM;
		return -1;
	}
	if (s == end) {
		*why = "a date without a time of day; hint: add the time and zone, e.g. T10:15:03Z";
		return -1;
	}
	if ((*s != 'T' && *s != 't' && *s != ' ') || (s++, !take_fixed(&s, 2, &h)) ||
	    *s++ != ':' || !take_fixed(&s, 2, &mi) || *s++ != ':' || !take_fixed(&s, 2, &sec)) {
		*why = BAD_FORM;
		return -1;
	}
	if (take_fraction(&s, &ns, why) < 0)
		return -1;
	if (s < end && (*s == 'Z' || *s == 'z')) {
		s++;
	} else if (s < end && (*s == '+' || *s == '-')) {
		int sign = *s++ == '-' ? -1 : 1;

		if (!take_fixed(&s, 2, &oh) || *s++ != ':' || !take_fixed(&s, 2, &om)) {
			*why = BAD_FORM;
			return -1;
		}
		if (oh > 23 || om > 59) {
			*why = "UTC offset out of range; hint: offsets run from -23:59 to +23:59";
			return -1;
		}
		offset = sign * (int64_t)(oh * 3600 + om * 60);
	} else {
		*why = s == end ? "no time zone; hint: add Z for UTC or an offset such as +01:00"
				: BAD_FORM;
		return -1;
	}
	if (s != end) {
		*why = BAD_FORM;
		return -1;
	}
	if (y > YEAR_MAX || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60 ||
	    d > month_length(y, mo)) {
		*why = "no such date or time of day; hint: check the month length, hours 00-23, minutes and seconds 00-59";
		return -1;
	}
	if (y < YEAR_MIN) {
		*why = "time is before 1970; hint: check the year";
		return -1;
	}
	secs = days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + sec;
	if (offset > 0 && secs < (uint64_t)offset) {
		*why = "time is before 1970; hint: check the year";
		return -1;
	}
	secs -= (uint64_t)offset; /* wraps correctly for negative offsets */
	return combine(secs, ns, out, why);
}

int timefmt_parse(const char *s, uint64_t *utc_ns, const char **why)
{
	const char *end;
	const char *p;

	*why = BAD_FORM;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (s == end) {
		*why = "empty time; hint: write e.g. 2026-11-20T10:15:03Z or 1795169703";
		return -1;
	}
	for (p = s; p < end && *p >= '0' && *p <= '9'; p++)
		;
	if (p == end || *p == '.')
		return parse_unix(s, end, utc_ns, why);
	if (p - s != 4 || *p != '-') {
		*why = BAD_FORM;
		return -1;
	}
	return parse_rfc3339(s, end, utc_ns, why);
}

int timefmt_parse_compact(const char *s, uint64_t *utc_ns)
{
	unsigned y, mo, d, h, mi, sec;

	if (!take_fixed(&s, 4, &y) || !take_fixed(&s, 2, &mo) || !take_fixed(&s, 2, &d) ||
	    *s++ != 'T' || !take_fixed(&s, 2, &h) || !take_fixed(&s, 2, &mi) ||
	    !take_fixed(&s, 2, &sec) || *s != 'Z')
		return -1;
	if (y < YEAR_MIN || y >= YEAR_MAX || mo < 1 || mo > 12 || d < 1 ||
	    d > month_length(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -1;
	*utc_ns = (days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + sec) *
		  TIMEFMT_NS_PER_SEC;
	return 0;
}

uint64_t timefmt_precision_ns(const char *s)
{
	const char *dot = strchr(s, '.');
	uint64_t unit = TIMEFMT_NS_PER_SEC;
	int digits = 0;

	if (!dot)
		return unit;
	for (dot++; *dot >= '0' && *dot <= '9' && digits < 9; dot++, digits++)
		unit /= 10;
	return unit;
}
