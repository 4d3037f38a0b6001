/* Scratch directories for unit tests that write files. */
#ifndef CGNAT_TESTDIR_H
#define CGNAT_TESTDIR_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Make /tmp/NAME.XXXXXX into dir (at least 64 bytes); 0 or -1. */
static inline int testdir_make(char *dir, size_t size, const char *name)
{
	snprintf(dir, size, "/tmp/%s.XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

/* Remove d and everything below it. */
static inline void testdir_remove(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	char p[PATH_MAX + 256];

	if (!dd)
		return;
	while ((de = readdir(dd))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strlen(d) + strlen(de->d_name) + 2 > sizeof(p))
			continue; /* cannot happen under /tmp/NAME.XXXXXX */
		strcpy(p, d);
		strcat(p, "/");
		strcat(p, de->d_name);
		if (unlink(p) < 0)
			testdir_remove(p);
	}
	closedir(dd);
	rmdir(d);
}

#endif
