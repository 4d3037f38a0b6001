/* The attribution log writer; see evlog.h and docs/LOGGING.md.
 *
 * The agent's event loop owns the log; the only other thread is the
 * compression worker, which touches nothing but its queue and the closed
 * files handed to it. File naming, reading and compression live in
 * evlog_dir.c.
 */
#include "evlog.h"
#include "evlog_dir.h"

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

#include "timefmt.h"

#define NS TIMEFMT_NS_PER_SEC
#define EPOCHS_FILE "epochs.jsonl"

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
		if (evlog_write_all(fd, "\n", 1, NULL) < 0 || fdatasync(fd) < 0)
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
		evlog_file_name(name, sizeof(name), sec * NS, n, false);
		evlog_file_name(gz, sizeof(gz), sec * NS, n, true);
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
	if (evlog_fsync_dir(path) < 0)
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
	if (fd < 0 || evlog_write_all(fd, line, (size_t)n, NULL) < 0 || fsync(fd) < 0)
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
	rc = evlog_write_all(log->fd, log->buf, log->len, &done);
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
