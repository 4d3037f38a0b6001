#include "bpffs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define BPF_FS_MAGIC_ 0xcafe4a11
#define BPFFS_ROOT "/sys/fs/bpf"

static int is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC_;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		buf[i] = path[i];
	}
	return 0;
}

int bpffs_prepare(const char *pin_dir, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	char *slash;

	if (!is_bpffs(BPFFS_ROOT)) {
		mkdir(BPFFS_ROOT, 0700);
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			snprintf(err, errlen,
				 "cannot mount bpffs at " BPFFS_ROOT ": %s; hint: run as root or "
				 "mount it yourself (mount -t bpf bpf " BPFFS_ROOT ")",
				 strerror(errno));
			return -1;
		}
	}
	if (mkdir_p(pin_dir)) {
		snprintf(err, errlen, "cannot create pin directory %s: %s; hint: "
			 "dataplane.pin_path must be under " BPFFS_ROOT, pin_dir, strerror(errno));
		return -1;
	}
	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (!is_bpffs(pin_dir) && !(slash && (*slash = '\0', is_bpffs(parent)))) {
		snprintf(err, errlen, "%s is not on a bpf filesystem; hint: set "
			 "dataplane.pin_path under " BPFFS_ROOT, pin_dir);
		return -1;
	}
	return 0;
}

int bpffs_remove_dir(const char *pin_dir)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	char path[2 * PATH_MAX];

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(pin_dir);
}
