/* Sockets before the network exists (linux/socket.c): no family is served,
 * so socket and socketpair answer EAFNOSUPPORT under Lamina; on the host
 * they succeed. The calls on a descriptor check it first, on both: EBADF
 * for one not open, ENOTSOCK for a file. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include "calls.h"

void test_socket(void)
{
	struct utsname u;
	struct sockaddr sa;
	socklen_t len = sizeof sa;
	int lamina = !uname(&u) && strstr(u.release, "lamina"), sv[2], v = 1;
	int fd = open("/etc/passwd", O_RDONLY);

	CHECK(fd >= 0);
	if (lamina) {
		FAILS(socket(AF_INET, SOCK_STREAM, 0), EAFNOSUPPORT);
		FAILS(socket(AF_UNIX, SOCK_DGRAM, 0), EAFNOSUPPORT);
		FAILS(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
		FAILS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	}
	memset(&sa, 0, sizeof sa);
	FAILS(connect(999, &sa, sizeof sa), EBADF);
	FAILS(connect(fd, &sa, sizeof sa), ENOTSOCK);
	FAILS(bind(fd, &sa, sizeof sa), ENOTSOCK);
	FAILS(listen(fd, 1), ENOTSOCK);
	FAILS(listen(-1, 1), EBADF);
	FAILS(accept(fd, 0, 0), ENOTSOCK);
	FAILS(getsockname(fd, &sa, &len), ENOTSOCK);
	FAILS(getpeername(999, &sa, &len), EBADF);
	FAILS(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), ENOTSOCK);
	FAILS(shutdown(fd, SHUT_RDWR), ENOTSOCK);
	FAILS(sendto(fd, "x", 1, 0, 0, 0), ENOTSOCK);
	FAILS(recvfrom(999, sv, 1, 0, 0, 0), EBADF);
	close(fd);
}
