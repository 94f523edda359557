/*
 * sockdiag.c: listening TCP and bound UDP sockets from the kernel's
 * sock_diag netlink interface.  /proc/net/tcp walks the whole
 * established-connection hash even to print two listeners (11 ms on a
 * 24 GiB VM); asking for listeners only skips that walk (70 us).
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procnet.h"
#include "wso2alloc.h"

#define WA_TCPF_LISTEN (1U << 10)

/* One dump request; the answer is read by wa_sockdiag_read. */
static int
wa_sockdiag_ask(int fd, int family, int proto)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto;
	/* UDP has no LISTEN: a bound UDP socket counts in any state. */
	req.r.idiag_states = proto == IPPROTO_TCP ? WA_TCPF_LISTEN : ~0U;
	if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&sa,
	    sizeof sa) != (ssize_t)sizeof req)
		return WA_EIO;
	return 0;
}

/* NLMSG_OK, without its comparison of signed and unsigned. */
static bool
wa_nl_ok(const struct nlmsghdr *h, int len)
{
	return len >= (int)sizeof *h && h->nlmsg_len >= sizeof *h &&
	    h->nlmsg_len <= (unsigned)len;
}

/* Walk the answer's messages; the count, or WA_EIO. */
static int
wa_sockdiag_read(int fd, int wproto, wa_procnet_cb cb, void *arg)
{
	/* Aligned for nlmsghdr; 32 KiB holds about 300 sockets a read. */
	static long buf[32768 / sizeof(long)];
	struct nlmsghdr *h;
	struct inet_diag_msg *m;
	ssize_t r;
	int len, n = 0;

	for (;;) {
		do
			r = recv(fd, buf, sizeof buf, 0);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return WA_EIO;
		len = (int)r;
		for (h = (struct nlmsghdr *)buf; wa_nl_ok(h, len);
		    len -= (int)NLMSG_ALIGN(h->nlmsg_len),
		    h = (struct nlmsghdr *)((char *)h +
		    NLMSG_ALIGN(h->nlmsg_len))) {
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof *m))
				return WA_EIO;
			m = NLMSG_DATA(h);
			if (m->id.idiag_sport == 0)
				continue;
			if (cb != NULL)
				cb(arg, wproto, ntohs(m->id.idiag_sport),
				    m->idiag_inode);
			n++;
		}
	}
}

int
wa_sockdiag_each(int wproto, wa_procnet_cb cb, void *arg)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int fd, rc, total = 0, nread = 0;
	int proto = wproto == WA_TCP ? IPPROTO_TCP : IPPROTO_UDP;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return WA_EIO;
	/* AF_INET6 is refused when IPv6 is off: one family is enough. */
	for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
		if (wa_sockdiag_ask(fd, families[i], proto) < 0 ||
		    (rc = wa_sockdiag_read(fd, wproto, cb, arg)) < 0)
			continue;
		nread++;
		total += rc;
	}
	close(fd);
	return nread > 0 ? total : WA_EIO;
}
