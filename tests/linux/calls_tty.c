/* The terminal's line discipline, driven by a typist: `linux calls tty`
 * (tests/tools/test_shell.py types what it asks for). Not part of the
 * unattended run: in capture mode there is no terminal.
 *   1. TCGETS / TCSETS round trip;
 *   2. ICANON and ECHO off, VMIN 1: a read returns the byte typed at once
 *      (the typist sends "x" and no line end), not echoed;
 *   3. canonical mode again: a read returns the whole line typed, edited
 *      with backspace, without the erased bytes. */
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include "calls.h"

int test_tty(void)
{
	struct termios t, u, raw;
	char buf[64];
	long n;

	CHECK(ioctl(0, TCGETS, &t) == 0);
	CHECK((t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO));
	u = t;
	u.c_lflag &= ~ECHOCTL;
	u.c_cc[VKILL] = 'K' & 0x1f;
	CHECK(ioctl(0, TCSETS, &u) == 0);
	/* (libc's struct termios is longer than the kernel's: compare fields) */
	CHECK(ioctl(0, TCGETS, &raw) == 0 && raw.c_lflag == u.c_lflag && raw.c_iflag == u.c_iflag &&
	      raw.c_oflag == u.c_oflag && raw.c_cflag == u.c_cflag &&
	      !memcmp(raw.c_cc, u.c_cc, 19));
	CHECK(ioctl(0, TCSETS, &t) == 0);
	raw = t;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	CHECK(ioctl(0, TCSETSF, &raw) == 0);
	printf("tty: raw ready\n");
	fflush(stdout);
	n = read(0, buf, sizeof buf);
	printf("tty: raw read %ld byte(s): %.*s\n", n, n > 0 ? (int)n : 0, buf);
	CHECK(ioctl(0, TCSETS, &t) == 0);
	printf("tty: line ready\n");
	fflush(stdout);
	n = read(0, buf, sizeof buf);
	printf("tty: line read %ld byte(s): [%.*s]\n", n, n > 0 ? (int)n : 0, buf);
	printf("tty: %d failed\n", failures);
	return failures;
}
