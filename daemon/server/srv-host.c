/*
 * srv-host.c: the host as the daemon sees it: the snapshot of bound
 * ports, and who holds one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "procnet.h"
#include "srv.h"
#include "util.h"

/* Reading /proc/net walks the kernel's socket tables (milliseconds on a
 * busy host): a snapshot serves every lease for WA_HOST_TTL_MS. */
#define WA_HOST_TTL_MS 100

void
wa_host_refresh(struct wa_daemon *d)
{
	uint64_t now = uv_now(d->loop);

	if (d->host_scanned != 0 && now - d->host_scanned < WA_HOST_TTL_MS)
		return;
	wa_procnet_scan(d->map, "/proc");
	d->host_scanned = now;
}

json_t *
wa_host_holder(int proto, uint16_t port)
{
	unsigned long inode = wa_procnet_inode("/proc", proto, port);
	char path[64], *cmd, *unit = NULL;
	bool denied = false;
	json_t *h = json_object(), *c;
	size_t len;
	pid_t pid;

	if (inode == 0 || h == NULL)
		return h;
	pid = wa_proc_socket_owner("/proc", inode, &denied);
	if (pid <= 0) {
		json_object_set_new(h, "holder_cmdline", json_string(denied ?
		    "(hidden: no permission to read other processes' fds)" :
		    "(unknown)"));
		return h;
	}
	json_object_set_new(h, "holder_pid", json_integer(pid));
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	if ((cmd = wa_file_read(path, &len)) != NULL) {
		for (size_t i = 0; i + 1 < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		json_object_set_new(h, "holder_cmdline", json_string(cmd));
		free(cmd);
	}
	/* A runtime's proxy holds the port for a container: name that. */
	if ((c = wa_ctr_holder("/proc", pid, port)) != NULL) {
		json_object_update(h, c);
		json_decref(c);
	}
	/* The systemd unit, from the cgroup path's last .service/.scope. */
	snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
	if ((cmd = wa_file_read(path, NULL)) != NULL) {
		char *p = strstr(cmd, ".service");

		if (p == NULL)
			p = strstr(cmd, ".scope");
		if (p != NULL) {
			char *s = p;

			while (s > cmd && s[-1] != '/')
				s--;
			p = strpbrk(p, "\n/");
			if (p != NULL)
				*p = '\0';
			unit = s;
			json_object_set_new(h, "holder_unit", json_string(unit));
		}
		free(cmd);
	}
	return h;
}
