/* The attribution log directory; see evlog.h and docs/LOGGING.md.
 *
 * The agent's event loop owns the log; the only other thread is the
 * compression worker, which touches nothing but its queue and the closed
 * files handed to it. The naming, listing and reading helpers at the top
 * are shared with lookup, so both sides agree on what a log file is.
 */
#include "evlog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define EPOCHS_FILE "epochs.jsonl"
#define NAME_PREFIX "cgnat-"

/* ---- names ------------------------------------------------------------ */

static void file_name(char *buf, size_t size, uint64_t start_ns, unsigned n, bool gz)
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

static int write_all(int fd, const char *p, size_t n, size_t *done)
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

static int fsync_dir_of(const char *path)
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
			if (write_all(out, obuf, CHUNK - zs.avail_out, NULL) < 0)
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
	if (close(out) < 0 || rename(tmp, gz) < 0 || fsync_dir_of(gz) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return unlink(path);
}

/* ---- the log ---------------------------------------------------------- */

struct job {
	struct job *next;
	char path[];
};

struct evlog {
	char dir[PATH_MAX];
	struct evlog_opts opts;

	int fd;                   /* current file; -1 until (re)created */
	char path[PATH_MAX + 64];
	uint64_t start_ns;        /* current file's start */
	uint64_t name_sec;        /* stamp and suffix of the newest name in use, */
	unsigned name_n;          /* so names never go backwards */
	bool have_name;
	uint64_t file_bytes;      /* written to the current file */
	uint64_t file_records;    /* records besides the checkpoint */

	char *buf;                /* formatted, not yet written */
	size_t len, cap;

	uint64_t *seen;           /* sorted seqs from the log's tail */
	size_t n_seen;

	bool in_ckpt;
	uint64_t ckpt_records, ckpt_time;

	struct evlog_stats st;

	pthread_t worker;
	bool worker_on;
	pthread_mutex_t mu;       /* guards the fields below */
	pthread_cond_t cv;
	struct job *head, *tail;
	bool stop;
	uint64_t queued, compress_errors;
};

static void *worker_main(void *arg)
{
	struct evlog *log = arg;

	pthread_mutex_lock(&log->mu);
	for (;;) {
		struct job *j;
		int rc;

		while (!log->head && !log->stop)
			pthread_cond_wait(&log->cv, &log->mu);
		if (!log->head)
			break;
		j = log->head;
		log->head = j->next;
		if (!log->head)
			log->tail = NULL;
		pthread_mutex_unlock(&log->mu);
		rc = evlog_compress_file(j->path, log->opts.gzip_level);
		free(j);
		pthread_mutex_lock(&log->mu);
		log->queued--;
		if (rc < 0)
			log->compress_errors++;
	}
	pthread_mutex_unlock(&log->mu);
	return NULL;
}

static void queue_compress(struct evlog *log, const char *path)
{
	struct job *j;

	if (log->opts.compress_inline || !log->worker_on) {
		if (evlog_compress_file(path, log->opts.gzip_level) < 0)
			log->compress_errors++;
		return;
	}
	j = malloc(sizeof(*j) + strlen(path) + 1);
	if (!j) {
		log->compress_errors++; /* stays plain; the next open queues it again */
		return;
	}
	j->next = NULL;
	strcpy(j->path, path);
	pthread_mutex_lock(&log->mu);
	if (log->tail)
		log->tail->next = j;
	else
		log->head = j;
	log->tail = j;
	log->queued++;
	pthread_cond_signal(&log->cv);
	pthread_mutex_unlock(&log->mu);
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p)) {
		errno = n ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0750) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* A crash can cut the last line; end it so readers skip just that line. */
static void end_torn_line(struct evlog *log, const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	char last;
	off_t size;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n') {
		if (write_all(fd, "\n", 1, NULL) < 0 || fdatasync(fd) < 0)
			log->st.write_errors++;
	}
	close(fd);
}

/* Leftovers of an interrupted compression: a .tmp is incomplete, a plain
 * file whose .gz exists was already compressed. */
static void clean_leftovers(struct evlog *log)
{
	DIR *d = opendir(log->dir);
	struct dirent *de;
	char path[PATH_MAX + 300];

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;

		if (strncmp(de->d_name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", log->dir, de->d_name);
		if (n > 13 && strcmp(de->d_name + n - 13, ".jsonl.gz.tmp") == 0) {
			unlink(path);
		} else if (n > 6 && strcmp(de->d_name + n - 6, ".jsonl") == 0) {
			strcat(path, ".gz");
			if (stat(path, &st) == 0) {
				path[strlen(path) - 3] = '\0';
				unlink(path);
			}
		}
	}
	closedir(d);
}

/* The last bytes of a plain file holding more than want lines (or all). */
static int read_tail(const char *path, size_t want, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t chunk = 4 << 20;
	off_t size;

	if (fd < 0)
		return -1;
	size = lseek(fd, 0, SEEK_END);
	for (;;) {
		size_t n = (off_t)chunk < size ? chunk : (size_t)size, lines = 0;
		char *buf = malloc(n + 1);
		ssize_t r;

		if (!buf || (r = pread(fd, buf, n, size - (off_t)n)) != (ssize_t)n) {
			free(buf);
			close(fd);
			if (buf)
				errno = EIO;
			return -1;
		}
		buf[n] = '\0';
		for (size_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (lines > want || (off_t)n == size) {
			close(fd);
			*data = buf;
			*len = n;
			return 0;
		}
		free(buf);
		chunk *= 2;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Remember the seqs of the last EVLOG_DEDUPE_LINES lines, reading the
 * newest file and, if it is short, the one before. */
static void collect_seqs(struct evlog *log, const struct evlog_file *files, size_t n)
{
	size_t need = EVLOG_DEDUPE_LINES;
	struct evlog_record rec;

	log->seen = malloc(EVLOG_DEDUPE_LINES * sizeof(*log->seen));
	if (!log->seen)
		return;
	for (size_t k = n; k > 0 && k + 2 > n && need > 0; k--) {
		const struct evlog_file *f = &files[k - 1];
		char path[PATH_MAX + 64], *data, *end;
		size_t len;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", log->dir, f->name);
		rc = f->gz ? evlog_read_file(log->dir, f, &data, &len)
			   : read_tail(path, need, &data, &len);
		if (rc < 0)
			continue;
		end = data + len;
		while (end > data && need > 0) {
			char *start = end - 1; /* end is just past a '\n' (torn lines were ended) */

			while (start > data && start[-1] != '\n')
				start--;
			if (end - start > 1) {
				need--;
				if (evlog_parse_line(start, (size_t)(end - start), &rec, NULL) == 0 &&
				    rec.seq)
					log->seen[log->n_seen++] = rec.seq;
			}
			end = start;
		}
		free(data);
	}
	qsort(log->seen, log->n_seen, sizeof(*log->seen), cmp_u64);
}

static bool seen_before(const struct evlog *log, uint64_t seq)
{
	size_t lo = 0, hi = log->n_seen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log->seen[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < log->n_seen && log->seen[lo] == seq;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || errno != ENOENT;
}

/* Create the current file named after utc_ns, never before an existing name. */
static int start_file(struct evlog *log, uint64_t utc_ns)
{
	uint64_t sec = utc_ns / NS;
	unsigned n = 0;
	char name[64], gz[64], path[PATH_MAX + 64];

	if (log->have_name && sec <= log->name_sec) {
		sec = log->name_sec;
		n = log->name_n + 1;
	}
	for (;; n++) {
		file_name(name, sizeof(name), sec * NS, n, false);
		file_name(gz, sizeof(gz), sec * NS, n, true);
		snprintf(path, sizeof(path), "%s/%s", log->dir, gz);
		if (exists(path))
			continue;
		snprintf(path, sizeof(path), "%s/%s", log->dir, name);
		log->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
		if (log->fd >= 0)
			break;
		if (errno != EEXIST) {
			log->st.write_errors++;
			return -1;
		}
	}
	snprintf(log->path, sizeof(log->path), "%s", path);
	log->name_sec = sec;
	log->name_n = n;
	log->have_name = true;
	log->start_ns = utc_ns;
	log->file_bytes = 0;
	log->file_records = 0;
	if (fsync_dir_of(path) < 0)
		log->st.write_errors++;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

struct evlog *evlog_open(const char *dir, const struct evlog_opts *opts)
{
	struct evlog *log = calloc(1, sizeof(*log));
	struct evlog_file *files = NULL;
	size_t n = 0;
	char path[PATH_MAX + 64];
	int e;

	if (!log)
		return NULL;
	log->fd = -1;
	log->opts = *opts;
	pthread_mutex_init(&log->mu, NULL);
	pthread_cond_init(&log->cv, NULL);
	if (strlen(dir) >= sizeof(log->dir) - 64) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	strcpy(log->dir, dir);
	if (mkdir_p(dir) < 0)
		goto fail;
	clean_leftovers(log);
	if (evlog_list_files(dir, &files, &n) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!files[i].gz) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
			end_torn_line(log, path);
		}
	snprintf(path, sizeof(path), "%s/" EPOCHS_FILE, dir);
	end_torn_line(log, path);
	collect_seqs(log, files, n);
	if (n) {
		log->have_name = true;
		log->name_sec = files[n - 1].start_ns / NS;
		log->name_n = files[n - 1].n;
	}
	if (start_file(log, opts->start_ns ? opts->start_ns : now_ns()) < 0)
		goto fail;
	if (!opts->compress_inline) {
		if ((e = pthread_create(&log->worker, NULL, worker_main, log)) != 0) {
			errno = e;
			goto fail;
		}
		log->worker_on = true;
	}
	for (size_t i = 0; i < n; i++)
		if (!files[i].gz) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
			queue_compress(log, path);
		}
	free(files);
	return log;
fail:
	e = errno;
	free(files);
	if (log->fd >= 0) {
		close(log->fd);
		unlink(log->path);
	}
	free(log->seen);
	pthread_mutex_destroy(&log->mu);
	pthread_cond_destroy(&log->cv);
	free(log);
	errno = e;
	return NULL;
}

static int reserve(struct evlog *log, size_t extra)
{
	size_t cap = log->cap ? log->cap : 1 << 20;
	char *b;

	if (log->len + extra <= log->cap)
		return 0;
	while (cap < log->len + extra)
		cap *= 2;
	b = realloc(log->buf, cap);
	if (!b) {
		errno = ENOMEM;
		return -1;
	}
	log->buf = b;
	log->cap = cap;
	return 0;
}

static void count_record(struct evlog *log, uint64_t utc_ns)
{
	log->st.events_written++;
	if (log->in_ckpt) {
		log->ckpt_records++;
		if (utc_ns > log->ckpt_time)
			log->ckpt_time = utc_ns;
	} else {
		log->file_records++;
	}
}

int evlog_write(struct evlog *log, const struct cgnat_event *ev, uint64_t utc_ns,
		const char *subscriber_id)
{
	int n;

	if (ev->seq && seen_before(log, ev->seq)) {
		log->st.duplicates++;
		return 1;
	}
	if (reserve(log, EVLOG_LINE_MAX) < 0)
		return -1;
	n = evlog_format_event(log->buf + log->len, EVLOG_LINE_MAX, ev, utc_ns, subscriber_id,
			       log->opts.log_destinations);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	log->len += (size_t)n;
	count_record(log, utc_ns);
	return 0;
}

static void marker(struct evlog *log, unsigned type, uint64_t utc_ns, uint64_t records)
{
	if (reserve(log, EVLOG_LINE_MAX) < 0) {
		log->st.write_errors++;
		return;
	}
	log->len += (size_t)evlog_format_marker(log->buf + log->len, EVLOG_LINE_MAX, type, utc_ns,
						records);
}

void evlog_begin_checkpoint(struct evlog *log)
{
	log->in_ckpt = true;
	log->ckpt_records = 0;
	log->ckpt_time = log->start_ns;
	marker(log, EVLOG_EV_CHECKPOINT_BEGIN, log->start_ns, 0);
}

void evlog_end_checkpoint(struct evlog *log)
{
	marker(log, EVLOG_EV_CHECKPOINT_END, log->ckpt_time, log->ckpt_records);
	log->in_ckpt = false;
}

static int cmp_range(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

int evlog_write_epoch(struct evlog *log, const struct evlog_epoch *e, uint64_t utc_ns)
{
	struct evlog_epoch s = *e;
	char line[EVLOG_LINE_MAX], path[PATH_MAX + 64];
	int n, fd, err = 0;

	/* Both element types start with their address, so one comparator sorts either. */
	qsort(s.pool, s.n_pool <= EVLOG_EPOCH_MAX ? s.n_pool : 0, sizeof(s.pool[0]), cmp_range);
	qsort(s.prefixes, s.n_prefixes <= EVLOG_EPOCH_MAX ? s.n_prefixes : 0,
	      sizeof(s.prefixes[0]), cmp_range);
	n = evlog_format_epoch(line, sizeof(line), &s, utc_ns);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (reserve(log, (size_t)n) < 0)
		return -1;
	memcpy(log->buf + log->len, line, (size_t)n);
	log->len += (size_t)n;
	log->st.events_written++;
	snprintf(path, sizeof(path), "%s/" EPOCHS_FILE, log->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0 || write_all(fd, line, (size_t)n, NULL) < 0 || fsync(fd) < 0)
		err = errno;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = errno;
	if (err) {
		log->st.write_errors++;
		errno = err;
		return -1;
	}
	return 0;
}

int evlog_flush(struct evlog *log)
{
	size_t done = 0;
	int rc;

	if (log->len == 0)
		return 0;
	if (log->fd < 0 && start_file(log, log->start_ns) < 0)
		return -1;
	rc = write_all(log->fd, log->buf, log->len, &done);
	log->st.bytes_written += done;
	log->file_bytes += done;
	memmove(log->buf, log->buf + done, log->len - done);
	log->len -= done;
	if (rc < 0) {
		int e = errno;

		log->st.write_errors++;
		errno = e;
	}
	return rc;
}

int evlog_sync(struct evlog *log)
{
	if (log->fd < 0)
		return 0;
	if (fdatasync(log->fd) < 0) {
		log->st.write_errors++;
		return -1;
	}
	return 0;
}

bool evlog_need_rotate(const struct evlog *log, uint64_t now)
{
	const struct evlog_opts *o = &log->opts;

	if (o->rotate_size && log->file_records > 0 &&
	    log->file_bytes + log->len >= o->rotate_size)
		return true;
	return o->rotate_interval && now >= log->start_ns + (uint64_t)o->rotate_interval * NS;
}

int evlog_rotate(struct evlog *log, uint64_t utc_ns)
{
	if (evlog_flush(log) < 0)
		return -1;
	if (log->fd >= 0) {
		if (fdatasync(log->fd) < 0)
			log->st.write_errors++;
		close(log->fd);
		log->fd = -1;
		queue_compress(log, log->path);
		log->path[0] = '\0';
	}
	log->start_ns = utc_ns;
	/* If the new file cannot be created, records (the caller's checkpoint
	 * first) stay buffered and the next flush creates it. */
	start_file(log, utc_ns);
	return 0;
}

int evlog_retention(struct evlog *log, uint64_t now)
{
	struct evlog_file *f;
	size_t n;
	uint64_t keep = (uint64_t)log->opts.retention_days * 86400 * NS;
	int deleted = 0;
	char path[PATH_MAX + 64];

	if (!log->opts.retention_days)
		return 0;
	if (evlog_list_files(log->dir, &f, &n) < 0)
		return -1;
	/* The last file is the current one, and each file ends where the next starts. */
	for (size_t i = 0; i + 1 < n; i++) {
		if (!f[i].gz || f[i + 1].start_ns + keep >= now)
			continue;
		snprintf(path, sizeof(path), "%s/%s", log->dir, f[i].name);
		if (unlink(path) == 0)
			deleted++;
	}
	free(f);
	return deleted;
}

void evlog_reset_dedupe(struct evlog *log)
{
	log->n_seen = 0;
}

int evlog_close(struct evlog *log)
{
	int rc = 0;

	if (!log)
		return 0;
	if (evlog_flush(log) < 0)
		rc = -1;
	if (log->fd >= 0) {
		if (fdatasync(log->fd) < 0)
			rc = -1;
		close(log->fd);
	}
	if (log->worker_on) {
		pthread_mutex_lock(&log->mu);
		log->stop = true;
		pthread_cond_signal(&log->cv);
		pthread_mutex_unlock(&log->mu);
		pthread_join(log->worker, NULL);
	}
	pthread_mutex_destroy(&log->mu);
	pthread_cond_destroy(&log->cv);
	free(log->buf);
	free(log->seen);
	free(log);
	return rc;
}

void evlog_get_stats(const struct evlog *log, struct evlog_stats *st)
{
	struct evlog *l = (struct evlog *)log; /* the mutex is not part of the value */

	*st = log->st;
	st->pending_bytes = log->len;
	pthread_mutex_lock(&l->mu);
	st->compress_queued = log->queued;
	st->compress_errors = log->compress_errors;
	pthread_mutex_unlock(&l->mu);
}

const char *evlog_current_path(const struct evlog *log)
{
	return log->fd >= 0 ? log->path : "";
}
