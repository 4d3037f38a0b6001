/* bpffs: make sure the BPF filesystem is mounted and the pin directory exists. */
#ifndef CGNAT_BPFFS_H
#define CGNAT_BPFFS_H

#include <stddef.h>

/* Mount bpffs at /sys/fs/bpf when nothing is mounted there, then create
 * pin_dir (and parents). pin_dir must lie on a bpffs. 0 or -1 with err. */
int bpffs_prepare(const char *pin_dir, char *err, size_t errlen);

/* Remove pin_dir and every pin in it (no recursion into subdirectories). */
int bpffs_remove_dir(const char *pin_dir);

#endif
