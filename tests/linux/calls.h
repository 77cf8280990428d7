/*
 * The system-call tests of the Linux personality: ordinary Linux programs
 * (musl-gcc -static and -static-pie) that make each implemented call the
 * right way and the wrong ways (bad descriptors, bad pointers, bad flags)
 * and check the results against what Linux documents (man 2). Run by
 * tests/tools/test_busybox.py as `linux -x calls` and `linux -x calls-pie`;
 * also runnable on the host, where they must pass too. The exit status is
 * the number of failed checks (0: all held); each failure is one line on
 * stderr.
 */
#ifndef CALLS_H
#define CALLS_H

#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

extern int failures;
/* 1 when running under the personality in capture mode (or on the host
 * with stdout a pipe): stdin is then at end of file and no terminal. */
extern int piped;
/* A pointer that is no one's: page 0 is never mapped. */
#define BAD ((void *)16)
/* An address outside user space. */
#define KBAD ((void *)0xffff888000000000ul)
/* An address inside the Linux personality's own image under Lamina (on the
 * host: just unmapped). Linux programs must not reach it. */
#define LIBOS ((void *)0x40001000)

#include "check.h"

void test_io(void);
void test_mm(void);
void test_mmap(void);      /* calls_mmap.c */
int futex_pingpong(void);
void test_sendfile(void);  /* calls_sendfile.c */
void test_socket(void);    /* calls_socket.c */
void test_proc(const char *argv0);
void test_procfs(const char *argv0);
void test_time(void);
void test_signal(void);
void test_sigdeliver(void);
int sigill_blocked(void);
int kill_self(void);
int segv_in_handler(void);
void test_efault(void);
void test_fs(void);
void test_pipe(void);
void test_fifo(void);      /* calls_fifo.c */
void test_fdlink(void);    /* calls_fdlink.c */
int fd_link_is(int fd, const char *want); /* readlink("/proc/self/fd/<fd>") is want */
void test_lock(void);      /* calls_lock.c */
void test_timers(void);
int test_tty(void);

#endif
