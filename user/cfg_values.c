/* Value parsers behind the config; see cfg_values.h. */
#include "cfg_values.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Leading decimal digits of *s into *v, advancing *s past all of them.
 * Returns the digit count, or -1 if the number overflows 64 bits. */
static int take_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;
	int digits = 0;
	bool overflow = false;

	for (; is_digit(*p); p++, digits++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			n = n * 10 + d;
	}
	*s = p;
	*v = n;
	return overflow ? -1 : digits;
}

bool cfgv_ipv4(const char *s, const char **end, uint32_t *addr)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		const char *start;
		uint64_t octet = 0;
		int digits;

		if (i > 0 && *s++ != '.')
			return false;
		start = s;
		digits = take_u64(&s, &octet);
		/* "010" would be octal to inet_aton(); refuse the ambiguity. */
		if (digits < 1 || digits > 3 || octet > 255 || (digits > 1 && *start == '0'))
			return false;
		a = a << 8 | (uint32_t)octet;
	}
	*end = s;
	*addr = a;
	return true;
}

enum cfgv_err cfgv_prefix(const char *s, struct cfg_prefix *out)
{
	const char *p;
	uint32_t addr;
	uint64_t len = 0;
	int digits;

	if (!cfgv_ipv4(s, &p, &addr) || *p++ != '/')
		return CFGV_SYNTAX;
	digits = take_u64(&p, &len);
	if (digits == 0 || *p != '\0')
		return CFGV_SYNTAX;
	if (digits < 0 || len > 32)
		return CFGV_RANGE;
	out->len = (uint8_t)len;
	out->addr = addr & cfgv_mask(out->len);
	return out->addr == addr ? CFGV_OK : CFGV_HOST_BITS;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

enum cfgv_err cfgv_range(const char *s, struct cfg_range *out)
{
	const char *p;
	uint32_t first, last;

	if (strchr(s, '/')) {
		struct cfg_prefix pfx;
		enum cfgv_err e = cfgv_prefix(s, &pfx);

		if (e == CFGV_OK || e == CFGV_HOST_BITS) {
			out->first = pfx.addr;
			out->last = pfx.addr | ~cfgv_mask(pfx.len);
		}
		return e;
	}
	if (!cfgv_ipv4(s, &p, &first))
		return CFGV_SYNTAX;
	p = skip_blanks(p);
	if (*p == '\0') {
		out->first = out->last = first;
		return CFGV_OK;
	}
	if (*p++ != '-')
		return CFGV_SYNTAX;
	if (!cfgv_ipv4(skip_blanks(p), &p, &last) || *skip_blanks(p) != '\0')
		return CFGV_SYNTAX;
	if (first > last)
		return CFGV_ORDER;
	out->first = first;
	out->last = last;
	return CFGV_OK;
}

/* Leading decimal port number; CFGV_RANGE above 65535. */
static enum cfgv_err take_port(const char **s, uint16_t *port)
{
	uint64_t n = 0;
	int digits = take_u64(s, &n);

	if (digits == 0)
		return CFGV_SYNTAX;
	if (digits < 0 || n > 65535)
		return CFGV_RANGE;
	*port = (uint16_t)n;
	return CFGV_OK;
}

enum cfgv_err cfgv_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	enum cfgv_err e1, e2;
	uint16_t lo = 0, hi = 0;

	e1 = take_port(&s, &lo);
	if (e1 == CFGV_SYNTAX)
		return e1;
	s = skip_blanks(s);
	if (*s++ != '-')
		return CFGV_SYNTAX;
	s = skip_blanks(s);
	e2 = take_port(&s, &hi);
	if (e2 == CFGV_SYNTAX || *s != '\0')
		return CFGV_SYNTAX;
	if (e1 != CFGV_OK || e2 != CFGV_OK)
		return CFGV_RANGE;
	if (lo > hi)
		return CFGV_ORDER;
	*min = lo;
	*max = hi;
	return CFGV_OK;
}

static const struct {
	const char *name;
	uint64_t ms;
} duration_units[] = {
	/* Descending, the order components must appear in. */
	{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 },
};

#define N_DURATION_UNITS (sizeof(duration_units) / sizeof(duration_units[0]))

/* Index of the unit at the start of s (longest match), or -1. */
static int duration_unit(const char *s, size_t *len)
{
	int best = -1;
	size_t best_len = 0;

	for (size_t i = 0; i < N_DURATION_UNITS; i++) {
		size_t n = strlen(duration_units[i].name);

		if (n > best_len && strncmp(s, duration_units[i].name, n) == 0) {
			best = (int)i;
			best_len = n;
		}
	}
	*len = best_len;
	return best;
}

enum cfgv_err cfgv_duration_ms(const char *s, uint64_t *ms)
{
	const uint64_t max_ms = (uint64_t)UINT32_MAX * 1000;
	uint64_t total = 0, n = 0;
	int last_unit = -1, digits;
	const char *p = s;

	digits = take_u64(&p, &n);
	if (digits != 0 && *p == '\0') { /* plain integer: seconds */
		if (digits < 0 || n > UINT32_MAX)
			return CFGV_RANGE;
		*ms = n * 1000;
		return CFGV_OK;
	}
	for (p = s; *p;) {
		size_t unit_len;
		int unit;

		digits = take_u64(&p, &n);
		if (digits == 0)
			return CFGV_SYNTAX;
		unit = duration_unit(p, &unit_len);
		if (unit < 0 || unit <= last_unit)
			return CFGV_SYNTAX;
		if (digits < 0 || n > max_ms / duration_units[unit].ms)
			return CFGV_RANGE;
		total += n * duration_units[unit].ms;
		if (total > max_ms)
			return CFGV_RANGE;
		last_unit = unit;
		p += unit_len;
	}
	if (last_unit < 0)
		return CFGV_SYNTAX;
	*ms = total;
	return CFGV_OK;
}

enum cfgv_err cfgv_size(const char *s, uint64_t *bytes)
{
	const char *p = s;
	uint64_t n = 0, mult = 1;
	int digits = take_u64(&p, &n);

	if (digits == 0)
		return CFGV_SYNTAX;
	switch (*p) {
	case 'K': case 'k': mult = 1ull << 10; break;
	case 'M': case 'm': mult = 1ull << 20; break;
	case 'G': case 'g': mult = 1ull << 30; break;
	case '\0': break;
	default: return CFGV_SYNTAX;
	}
	if (mult > 1) {
		p++;
		if (strcmp(p, "iB") == 0)
			p += 2;
	}
	if (*p != '\0')
		return CFGV_SYNTAX;
	if (digits < 0 || n > UINT64_MAX / mult)
		return CFGV_RANGE;
	*bytes = n * mult;
	return CFGV_OK;
}

enum cfgv_err cfgv_u32(const char *s, uint32_t *out)
{
	const char *p = s;
	uint64_t n = 0;
	int digits = take_u64(&p, &n);

	if (digits == 0 || *p != '\0')
		return CFGV_SYNTAX;
	if (digits < 0 || n > UINT32_MAX)
		return CFGV_RANGE;
	*out = (uint32_t)n;
	return CFGV_OK;
}

bool cfgv_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

const char *cfgv_addr_str(uint32_t addr, char buf[CFGV_ADDR_STRLEN])
{
	snprintf(buf, CFGV_ADDR_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

const char *cfgv_duration_str(uint64_t ms, char *buf, unsigned size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_DURATION_UNITS; i++) {
		uint64_t n = ms / duration_units[i].ms;

		if (n == 0)
			continue;
		ms -= n * duration_units[i].ms;
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, "%llu%s",
						 (unsigned long long)n, duration_units[i].name);
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "0s");
	return buf;
}

/* Public wrappers declared in config.h. */

int cfg_parse_prefix(const char *s, struct cfg_prefix *out)
{
	struct cfg_prefix p;

	if (!s || cfgv_prefix(s, &p) != CFGV_OK)
		return -1;
	*out = p;
	return 0;
}

int cfg_parse_range(const char *s, struct cfg_range *out)
{
	struct cfg_range r;

	if (!s || cfgv_range(s, &r) != CFGV_OK)
		return -1;
	*out = r;
	return 0;
}

int cfg_parse_duration(const char *s, uint32_t *seconds)
{
	uint64_t ms;

	if (!s || cfgv_duration_ms(s, &ms) != CFGV_OK || ms % 1000 != 0)
		return -1;
	*seconds = (uint32_t)(ms / 1000);
	return 0;
}

int cfg_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t b;

	if (!s || cfgv_size(s, &b) != CFGV_OK)
		return -1;
	*bytes = b;
	return 0;
}
