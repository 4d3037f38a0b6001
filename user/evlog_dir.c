/* The files of a log directory: their names, listing and reading them
 * (plain or gzip), and compressing a closed file. Shared by the writer
 * (user/evlog.c) and lookup, so both agree on what a log file is. */
#include "evlog.h"
#include "evlog_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC

/* ---- names ------------------------------------------------------------ */

void evlog_file_name(char *buf, size_t size, uint64_t start_ns, unsigned n, bool gz)
{
	char stamp[TIMEFMT_COMPACT_SIZE];

	timefmt_compact(start_ns, stamp);
	if (n)
		snprintf(buf, size, NAME_PREFIX "%s-%u.jsonl%s", stamp, n, gz ? ".gz" : "");
	else
		snprintf(buf, size, NAME_PREFIX "%s.jsonl%s", stamp, gz ? ".gz" : "");
}

/* "cgnat-STAMP[-N].jsonl[.gz]"; anything else (tmp files, epochs) is not a log file. */
static bool parse_name(const char *name, struct evlog_file *f)
{
	const char *p = name + strlen(NAME_PREFIX);
	unsigned long n = 0;

	if (strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0 ||
	    strlen(name) >= sizeof(f->name) || timefmt_parse_compact(p, &f->start_ns) < 0)
		return false;
	p += TIMEFMT_COMPACT_SIZE - 1;
	if (*p == '-') {
		char *end;

		if (p[1] < '1' || p[1] > '9')
			return false;
		errno = 0;
		n = strtoul(p + 1, &end, 10);
		if (errno || n > UINT32_MAX)
			return false;
		p = end;
	}
	if (strcmp(p, ".jsonl") == 0)
		f->gz = false;
	else if (strcmp(p, ".jsonl.gz") == 0)
		f->gz = true;
	else
		return false;
	f->n = (unsigned)n;
	strcpy(f->name, name);
	return true;
}

static int cmp_file(const void *a, const void *b)
{
	const struct evlog_file *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return (int)y->gz - (int)x->gz; /* .gz first, so the plain twin is dropped */
}

int evlog_list_files(const char *dir, struct evlog_file **files, size_t *n)
{
	DIR *d = opendir(dir);
	struct evlog_file *v = NULL, f;
	size_t len = 0, cap = 0, out = 0;
	struct dirent *de;

	*files = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!parse_name(de->d_name, &f))
			continue;
		if (len == cap) {
			struct evlog_file *t = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (!t) {
				free(v);
				closedir(d);
				errno = ENOMEM;
				return -1;
			}
			v = t;
		}
		v[len++] = f;
	}
	closedir(d);
	if (len)
		qsort(v, len, sizeof(*v), cmp_file);
	for (size_t i = 0; i < len; i++)
		if (out == 0 || v[out - 1].start_ns != v[i].start_ns || v[out - 1].n != v[i].n)
			v[out++] = v[i];
	*files = v;
	*n = out;
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

static int read_plain(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL;
	int e = ENOMEM;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t r;

		if (!buf || n + 1 == cap) {
			char *t = realloc(buf, buf ? (cap *= 2) : cap);

			if (!t)
				goto fail;
			buf = t;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	errno = e;
	return -1;
}

/* The gzip trailer's ISIZE (length mod 2^32) sizes the buffer once. */
static size_t gz_size_hint(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char t[4];
	off_t size;
	size_t hint = 1 << 20;

	if (fd < 0)
		return hint;
	size = lseek(fd, 0, SEEK_END);
	if (size >= 18 && pread(fd, t, 4, size - 4) == 4) {
		size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 |
			       (size_t)t[3] << 24;

		if (isize >= (size_t)size / 2 && isize < (size_t)1 << 31)
			hint = isize + 2;
	}
	close(fd);
	return hint;
}

static int read_gz(const char *path, char **data, size_t *len)
{
	gzFile gz = gzopen(path, "rbe");
	size_t cap = gz_size_hint(path), n = 0;
	char *buf = NULL;
	int zerr = Z_OK;

	if (!gz)
		return -1;
	gzbuffer(gz, 1 << 18);
	for (;;) {
		int r;

		if (!buf || n + 1 == cap) {
			char *t = realloc(buf, buf ? (cap *= 2) : cap);

			if (!t) {
				free(buf);
				gzclose(gz);
				errno = ENOMEM;
				return -1;
			}
			buf = t;
		}
		r = gzread(gz, buf + n, (unsigned)(cap - n - 1 > (1u << 30) ? 1u << 30 : cap - n - 1));
		if (r <= 0) {
			gzerror(gz, &zerr);
			if (r < 0 && zerr == Z_OK)
				zerr = Z_DATA_ERROR;
			break;
		}
		n += (size_t)r;
	}
	gzclose(gz);
	/* A truncated stream ends with Z_BUF_ERROR ("unexpected end of file"). */
	if (zerr != Z_OK && zerr != Z_STREAM_END) {
		free(buf);
		errno = zerr == Z_MEM_ERROR ? ENOMEM : EBADMSG;
		return -1;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int evlog_read_file(const char *dir, const struct evlog_file *f, char **data, size_t *len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	if (f->gz)
		return read_gz(path, data, len);
	if (read_plain(path, data, len) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* Compressed and unlinked between listing and reading. */
	strncat(path, ".gz", sizeof(path) - strlen(path) - 1);
	return read_gz(path, data, len);
}

/* ---- compression ------------------------------------------------------ */

int evlog_write_all(int fd, const char *p, size_t n, size_t *done)
{
	size_t off = 0;
	int rc = 0;

	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	if (done)
		*done = off;
	return rc;
}

int evlog_fsync_dir(const char *path)
{
	char dir[PATH_MAX + 64];
	char *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int deflate_fd(int in, int out, int level)
{
	enum { CHUNK = 1 << 18 };
	z_stream zs = { 0 };
	char *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
	int rc = -1, flush = Z_NO_FLUSH, zr = Z_OK;

	/* windowBits 15 + 16: a gzip wrapper, so zcat and gzip -t read it. */
	if (!ibuf || !obuf ||
	    deflateInit2(&zs, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(ibuf);
		free(obuf);
		errno = ENOMEM;
		return -1;
	}
	while (flush != Z_FINISH) {
		ssize_t r = read(in, ibuf, CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		flush = r == 0 ? Z_FINISH : Z_NO_FLUSH;
		zs.next_in = (Bytef *)ibuf;
		zs.avail_in = (uInt)r;
		do {
			zs.next_out = (Bytef *)obuf;
			zs.avail_out = CHUNK;
			zr = deflate(&zs, flush);
			if (zr == Z_STREAM_ERROR) {
				errno = EIO;
				goto out;
			}
			if (evlog_write_all(out, obuf, CHUNK - zs.avail_out, NULL) < 0)
				goto out;
		} while (zs.avail_out == 0);
	}
	rc = zr == Z_STREAM_END ? 0 : -1;
	if (rc < 0)
		errno = EIO;
out:
	deflateEnd(&zs);
	free(ibuf);
	free(obuf);
	return rc;
}

int evlog_compress_file(const char *path, int level)
{
	char gz[PATH_MAX], tmp[PATH_MAX];
	int in, out, e;

	if (snprintf(gz, sizeof(gz), "%s.gz", path) >= (int)sizeof(gz) ||
	    snprintf(tmp, sizeof(tmp), "%s.gz.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (out < 0) {
		e = errno;
		close(in);
		errno = e;
		return -1;
	}
	/* Only a complete, durable .gz may replace the plain file. */
	if (deflate_fd(in, out, level) < 0 || fsync(out) < 0) {
		e = errno;
		close(in);
		close(out);
		unlink(tmp);
		errno = e;
		return -1;
	}
	close(in);
	if (close(out) < 0 || rename(tmp, gz) < 0 || evlog_fsync_dir(gz) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return unlink(path);
}
