/* systemd readiness notification (Type=notify) without libsystemd: one
 * datagram to $NOTIFY_SOCKET. A no-op when not started by systemd. */
#ifndef CGNAT_SDNOTIFY_H
#define CGNAT_SDNOTIFY_H

int sd_notify_msg(const char *msg);

#endif
