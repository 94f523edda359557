/*
 * carbon.h: what running WSO2 servers and their files say: the command
 * line of a Carbon JVM, and the offset in deployment.toml or carbon.xml.
 */
#ifndef WA_CARBON_H
#define WA_CARBON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct wa_cmdline {
	bool java;              /* argv[0]'s base name is java */
	char home[4096];        /* -Dcarbon.home=, "" when absent */
	int port_offset;        /* -DportOffset=, -1 when absent */
	char runtime[64];       /* -Dwso2.runtime= (Carbon 5), "" when absent */
};

/* A NUL-separated /proc/PID/cmdline. */
int wa_cmdline_parse(const char *buf, size_t len, struct wa_cmdline *out);
/* server.offset of a deployment.toml, however written (toml.h): a number
 * or a string of digits; WA_ENOTFOUND when absent, WA_EINVAL when the
 * text is not TOML or the value not an offset. */
int wa_toml_offset(const char *text, int *offset);
/* <Offset>N</Offset> of <Ports>, read as XML (xmlscan.h): WA_ENOTFOUND
 * when absent, WA_EINVAL when not well-formed or not a number. */
int wa_carbon_xml_offset(const char *text, int *offset);
/*
 * The offset a server started without -DportOffset runs at: [server]
 * offset in conf/ or repository/conf/deployment.toml, else <Offset> in
 * repository/conf/carbon.xml or conf/carbon.xml, else internal.  *from
 * names the source.  (-DportOffset on the command line replaces all of
 * these; that is the caller's first check.)  The files are read the
 * safeio way as id (the server's owner); each one present but not read
 * goes to cb with its name under home and the reason.
 */
struct wa_fsid;
typedef void (*wa_unread_cb)(void *arg, const char *file, const char *why);
int wa_home_offset(const char *home, const struct wa_fsid *id, int internal,
    int *offset, const char **from, wa_unread_cb cb, void *arg);
/* The same, home resolved inside rootfd (a container's root); rootfd < 0
 * is wa_home_offset. */
int wa_home_offset_in(int rootfd, const char *home, const struct wa_fsid *id,
    int internal, int *offset, const char **from, wa_unread_cb cb, void *arg);

/* Whether pid is ancestor or one of its descendants. */
bool wa_proc_descends(const char *procroot, pid_t pid, pid_t ancestor);
/* Every (proto, port) a process (and its descendants) listens on or has bound (UDP), from its
 * fds' socket inodes matched against procroot/net. */
typedef void (*wa_bound_cb)(void *arg, int proto, unsigned port);
int wa_proc_bound(const char *procroot, pid_t pid, wa_bound_cb cb,
    void *arg);

#endif
