/*
 * procnet.h: what the kernel says about ports and processes, read from
 * /proc.  Parsers take the files' text so tests run on samples.
 */
#ifndef WA_PROCNET_H
#define WA_PROCNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "portmap.h"

/*
 * Walk /proc/net/{tcp,tcp6,udp,udp6} text: cb gets every port held by a
 * listening TCP socket (state 0A) or a bound UDP socket, with the
 * socket's inode.  Returns the number of entries or WA_EINVAL.
 */
typedef void (*wa_procnet_cb)(void *arg, int proto, uint16_t port,
    unsigned long inode);
int wa_procnet_parse(const char *text, int proto, wa_procnet_cb cb,
    void *arg);
/* The same walk over the live kernel's sockets through sock_diag
 * (sockdiag.c); WA_EIO when netlink is refused. */
int wa_sockdiag_each(int proto, wa_procnet_cb cb, void *arg);
/* Refresh the host layer of m from procroot ("/proc": sock_diag first). */
int wa_procnet_scan(struct wa_portmap *m, const char *procroot);
/* The inode of the socket holding port (0 when none). */
unsigned long wa_procnet_inode(const char *procroot, int proto,
    uint16_t port);
/* The inodes of every socket holding port (IPv4 and IPv6, each address):
 * up to max, their count. */
size_t wa_procnet_inodes(const char *procroot, int proto, uint16_t port,
    unsigned long *out, size_t max);

/* "32768\t60999\n" */
int wa_parse_port_range(const char *text, int *lo, int *hi);
/* "8000-8010,9000\n": marks the reserved layer for tcp and udp. */
int wa_parse_reserved_ports(const char *text, struct wa_portmap *m);
/* Read both sysctls below procroot into lo/hi and m (either may fail). */
int wa_procnet_sysctls(const char *procroot, int *lo, int *hi,
    struct wa_portmap *m);

/* Field 22 of /proc/PID/stat (clock ticks since boot); WA_ENOTFOUND. */
int wa_proc_start_time(pid_t pid, unsigned long long *start);
int wa_parse_stat_start(const char *text, unsigned long long *start);
/* True when pid runs and, if start != 0, started at start. */
bool wa_proc_alive(pid_t pid, unsigned long long start);
/* The pid whose fd table holds socket inode, or -1; *denied set when
 * some /proc/PID/fd could not be read. */
pid_t wa_proc_socket_owner(const char *procroot, unsigned long inode,
    bool *denied);
/* cb(arg, pid, i) for each process whose fd table holds inodes[i], in
 * one walk of procroot; *denied set when some fd table was unreadable. */
typedef void (*wa_holder_cb)(void *arg, pid_t pid, size_t i);
void wa_proc_socket_holders(const char *procroot, const unsigned long *inodes,
    size_t n, wa_holder_cb cb, void *arg, bool *denied);
/* The uid of /proc/PID/status's "Uid:" line when its real, effective,
 * saved and filesystem uids are one: WA_EINVAL when they differ (a
 * set-uid program runs for two users). */
int wa_parse_status_uid(const char *status, uid_t *uid);
int wa_proc_uid(const char *procroot, pid_t pid, uid_t *uid);

#endif
