/*
 * Sockets, until the network exists: socket and socketpair answer
 * EAFNOSUPPORT for every family (no address family is served: not even
 * AF_UNIX), so a program falls back as it would on a kernel built without
 * networking. No descriptor is ever a socket, so the calls that take one
 * answer EBADF for a descriptor that is not open and ENOTSOCK for any other
 * (man 2 connect, bind, ...: the descriptor is checked first).
 */
#include "lx.h"

LX_SYS(socket)
{
	return -EAFNOSUPPORT;
}

LX_SYS(socketpair)
{
	return -EAFNOSUPPORT;
}

/* connect, accept, accept4, sendto, recvfrom, sendmsg, recvmsg, sendmmsg,
 * recvmmsg, shutdown, bind, listen, getsockname, getpeername, setsockopt,
 * getsockopt: the descriptor in a[0]. */
LX_SYS(sockfd)
{
	return lx_fd_access((long)(int)a[0]) < 0 ? -EBADF : -ENOTSOCK;
}
