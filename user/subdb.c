/* Subscriber database; see subdb.h.
 *
 * Entries live in one array sorted by (prefix length, address), so each
 * length is a contiguous sorted run. A lookup masks the address for every
 * length present, longest first, and binary-searches that run: at most 33
 * searches of ~20 steps for a million entries, and no allocation. Sorting
 * once at load also finds duplicate prefixes for free.
 */
#include "subdb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_values.h"

struct entry {
	uint32_t addr;   /* network address, host order */
	uint32_t id_off; /* into subdb.ids */
	uint32_t line;   /* source line, for duplicate messages */
	uint8_t len;
};

struct subdb {
	struct entry *e;
	size_t n;
	char *ids;           /* NUL-terminated ids back to back */
	size_t start[34];    /* entries of length L are e[start[L] .. start[L + 1]) */
	uint64_t lens;       /* bit L set when some entry has length L */
};

struct loader {
	const char *path;
	char *err;
	size_t errlen;
	struct subdb *db;
	size_t cap;
	size_t ids_len, ids_cap;
};

static int fail(struct loader *ld, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = line ? snprintf(ld->err, ld->errlen, "%s:%u: ", ld->path, line)
		     : snprintf(ld->err, ld->errlen, "%s: ", ld->path);

	if (n >= 0 && (size_t)n < ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool id_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       strchr("._:@/-", c) != NULL;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

static int parse_address(struct loader *ld, unsigned line, const char *s, uint32_t *addr,
			 uint8_t *len)
{
	struct cfg_prefix p;
	const char *end;
	char fixed[CFGV_ADDR_STRLEN];

	if (!strchr(s, '/')) {
		if (!cfgv_ipv4(s, &end, addr) || *end != '\0')
			return fail(ld, line, "'%.40s' is not an IPv4 address or prefix; hint: write A.B.C.D or A.B.C.D/LEN, e.g. 100.64.0.5 or 100.64.1.0/24",
				    s);
		*len = 32;
		return 0;
	}
	switch (cfgv_prefix(s, &p)) {
	case CFGV_OK:
		*addr = p.addr;
		*len = p.len;
		return 0;
	case CFGV_HOST_BITS:
		return fail(ld, line, "'%.40s' has host bits set; hint: use %s/%u", s,
			    cfgv_addr_str(p.addr, fixed), p.len);
	case CFGV_RANGE:
		return fail(ld, line, "'%.40s' has a prefix length above 32; hint: IPv4 prefix lengths are 0..32",
			    s);
	default:
		return fail(ld, line, "'%.40s' is not an IPv4 address or prefix; hint: write A.B.C.D or A.B.C.D/LEN, e.g. 100.64.0.5 or 100.64.1.0/24",
			    s);
	}
}

static int check_id(struct loader *ld, unsigned line, const char *id)
{
	size_t n = strlen(id);

	if (n == 0)
		return fail(ld, line, "empty subscriber id; hint: write an id after the comma, e.g. 100.64.0.5,cust-0042");
	if (n > SUBDB_ID_MAX)
		return fail(ld, line, "subscriber id '%.20s...' is %zu characters long; hint: ids are at most %d characters",
			    id, n, SUBDB_ID_MAX);
	for (size_t i = 0; i < n; i++)
		if (!id_char_ok(id[i]))
			return fail(ld, line, "subscriber id '%.64s' contains '%c' (byte 0x%02x); hint: ids may use letters, digits and . _ : @ / -",
				    id, id[i] >= 0x20 && id[i] < 0x7f ? id[i] : '?',
				    (unsigned char)id[i]);
	return 0;
}

static int add(struct loader *ld, unsigned line, uint32_t addr, uint8_t len, const char *id)
{
	struct subdb *db = ld->db;
	size_t n = strlen(id) + 1;

	if (db->n == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 1024;
		struct entry *e = realloc(db->e, cap * sizeof(*e));

		if (!e)
			return fail(ld, 0, "out of memory at line %u; hint: split the database or add memory", line);
		db->e = e;
		ld->cap = cap;
	}
	if (ld->ids_len + n > ld->ids_cap) {
		size_t cap = ld->ids_cap ? ld->ids_cap * 2 : 16384;
		char *ids;

		while (cap < ld->ids_len + n)
			cap *= 2;
		if (cap > UINT32_MAX || !(ids = realloc(db->ids, cap)))
			return fail(ld, 0, "out of memory at line %u; hint: split the database or add memory", line);
		db->ids = ids;
		ld->ids_cap = cap;
	}
	memcpy(db->ids + ld->ids_len, id, n);
	db->e[db->n++] = (struct entry){ addr, (uint32_t)ld->ids_len, line, len };
	ld->ids_len += n;
	return 0;
}

static int parse_line(struct loader *ld, unsigned line, char *s, size_t n)
{
	char *hash, *comma, *addr_s, *id;
	uint32_t addr = 0;
	uint8_t len = 0;

	if (memchr(s, '\0', n))
		return fail(ld, line, "contains a NUL byte; hint: the database must be a text file");
	if ((hash = strchr(s, '#')))
		n = (size_t)(hash - s);
	s = trim(s, s + n);
	if (*s == '\0')
		return 0;
	comma = strchr(s, ',');
	if (!comma)
		return fail(ld, line, "expected PREFIX_OR_IP,ID; hint: separate the address and the subscriber id with a comma, e.g. 100.64.0.5,cust-0042");
	if (strchr(comma + 1, ','))
		return fail(ld, line, "more than two fields; hint: write one PREFIX_OR_IP,ID per line (ids cannot contain ',')");
	addr_s = trim(s, comma);
	id = trim(comma + 1, comma + 1 + strlen(comma + 1));
	if (parse_address(ld, line, addr_s, &addr, &len) < 0 || check_id(ld, line, id) < 0)
		return -1;
	return add(ld, line, addr, len, id);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int index_entries(struct loader *ld)
{
	struct subdb *db = ld->db;
	size_t i = 0;
	char a[CFGV_ADDR_STRLEN];

	if (db->n)
		qsort(db->e, db->n, sizeof(*db->e), cmp_entry);
	for (size_t k = 1; k < db->n; k++)
		if (db->e[k].len == db->e[k - 1].len && db->e[k].addr == db->e[k - 1].addr)
			return fail(ld, db->e[k].line, "duplicate prefix %s/%u (first at line %u); hint: list each address or prefix once",
				    cfgv_addr_str(db->e[k].addr, a), db->e[k].len, db->e[k - 1].line);
	for (unsigned len = 0; len <= 33; len++) {
		db->start[len] = i;
		while (len <= 32 && i < db->n && db->e[i].len == len) {
			db->lens |= 1ULL << len;
			i++;
		}
	}
	return 0;
}

struct subdb *subdb_load(const char *path, char *err, size_t errlen)
{
	struct loader ld = { .path = path, .err = err, .errlen = errlen };
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t n;
	unsigned line = 0;
	int rc = 0;

	if (!f) {
		fail(&ld, 0, "cannot open: %s; hint: check the path and its permissions (subscribers.database)",
		     strerror(errno));
		return NULL;
	}
	ld.db = calloc(1, sizeof(*ld.db));
	if (!ld.db) {
		fail(&ld, 0, "out of memory; hint: add memory");
		fclose(f);
		return NULL;
	}
	while (rc == 0 && (n = getline(&buf, &bufcap, f)) >= 0) {
		char *s = buf;

		line++;
		/* A UTF-8 byte order mark from spreadsheet exports is not an address. */
		if (line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
		rc = parse_line(&ld, line, s, (size_t)n);
	}
	if (rc == 0 && ferror(f))
		rc = fail(&ld, 0, "read error: %s; hint: check the file system", strerror(errno));
	free(buf);
	fclose(f);
	if (rc == 0)
		rc = index_entries(&ld);
	if (rc < 0) {
		subdb_free(ld.db);
		return NULL;
	}
	return ld.db;
}

const char *subdb_lookup(const struct subdb *db, uint32_t ip)
{
	if (!db)
		return NULL;
	for (int len = 32; len >= 0; len--) {
		size_t lo, hi;
		uint32_t key;

		if (!(db->lens & (1ULL << len)))
			continue;
		key = ip & cfgv_mask((unsigned)len);
		lo = db->start[len];
		hi = db->start[len + 1];
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (db->e[mid].addr < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < db->start[len + 1] && db->e[lo].addr == key)
			return db->ids + db->e[lo].id_off;
	}
	return NULL;
}

int subdb_find_id(const struct subdb *db, const char *id, size_t nth, uint32_t *addr,
		  uint8_t *len)
{
	size_t i;

	for (i = 0; db && i < db->n; i++) {
		if (strcmp(db->ids + db->e[i].id_off, id) || nth--)
			continue;
		*addr = db->e[i].addr;
		*len = db->e[i].len;
		return 0;
	}
	return -1;
}

size_t subdb_size(const struct subdb *db)
{
	return db ? db->n : 0;
}

void subdb_free(struct subdb *db)
{
	if (!db)
		return;
	free(db->e);
	free(db->ids);
	free(db);
}
