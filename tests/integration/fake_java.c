/*
 * fake_java.c: stands in for a WSO2 server's JVM in the tests: copied to
 * a file named java, started with -Dcarbon.home=..., it listens on the
 * TCP ports in $FAKE_JAVA_BIND (comma-separated), on $FAKE_JAVA_ADDR or
 * 127.0.0.1, and sleeps $FAKE_JAVA_SECS or 60 seconds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *bind_ = getenv("FAKE_JAVA_BIND");
	const char *addr = getenv("FAKE_JAVA_ADDR");
	char list[256], *tok, *save;

	(void)argc;
	(void)argv;
	if (bind_ != NULL) {
		snprintf(list, sizeof list, "%s", bind_);
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			struct sockaddr_in sa;
			int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			memset(&sa, 0, sizeof sa);
			sa.sin_family = AF_INET;
			sa.sin_port = htons((uint16_t)atoi(tok));
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (addr != NULL &&
			    inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
				return 2;
			if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
			    listen(fd, 1) != 0)
				return 2;
		}
	}
	sleep(getenv("FAKE_JAVA_SECS") != NULL ?
	    (unsigned)atoi(getenv("FAKE_JAVA_SECS")) : 60);
	return 0;
}
