/* SPDX-License-Identifier: MIT */
/* The filtering D-Bus proxy (xdg-dbus-proxy) between a sandboxed app and the
 * user's buses: the app sees a socket on which only the names its metadata
 * grants (talk, own, see) exist, its own id it may own, and the portals. */
#ifndef BENTO_DBUS_PROXY_H
#define BENTO_DBUS_PROXY_H

#include <sys/types.h>

#include "core/error.h"
#include "permissions/permissions.h"

typedef struct bento_dbus_proxy_request {
	const char *app_id;
	const bento_permissions *permissions;
	const char *session_address; /* proxy the session bus, or NULL */
	const char *system_address;  /* proxy the system bus, or NULL */
} bento_dbus_proxy_request;

typedef struct bento_dbus_proxy_result {
	pid_t pid;
	int sync_fd; /* the proxy exits when this closes */
	char *dir;   /* private directory holding the sockets */
	char *session_socket, *system_socket;
} bento_dbus_proxy_result;

/* Starts xdg-dbus-proxy and waits until its sockets accept connections. */
int bento_dbus_proxy_start(const bento_dbus_proxy_request *req, bento_dbus_proxy_result *res,
                           bento_error **err);
/* Stops it (closing sync_fd), reaps it and removes its directory. */
void bento_dbus_proxy_stop(pid_t pid, int sync_fd, const char *dir);

#endif
