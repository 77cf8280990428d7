/* I/O-port capabilities: a range of ports; each access is checked against it. */
#include <lamina/syscall.h>
#include "asm.h"
#include "syscall.h"

static u64 decode(struct frame *f, u8 rights, u64 *port, u64 *width)
{
	struct slot *s;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_IOPORT, rights, 1, &s);
	if (e)
		return e;
	*port = ARG2(f);
	*width = ARG3(f);
	if (*width != 1 && *width != 2 && *width != 4)
		return SYSERR(LM_EINVAL, 3);
	if (*port < s->cap.obj || *port >= s->cap.obj + s->cap.w2 ||
	    s->cap.obj + s->cap.w2 - *port < *width)
		return SYSERR(LM_ERANGE, 2);
	return LM_OK;
}

SYS(ioport_in)
{
	u64 port, width, e = decode(f, LM_R_READ, &port, &width);
	if (e)
		return e;
	f->rdi = width == 1 ? inb((u16)port) : width == 2 ? inw((u16)port) : inl((u16)port);
	return LM_OK;
}

SYS(ioport_out)
{
	u64 port, width, e = decode(f, LM_R_WRITE, &port, &width);
	if (e)
		return e;
	u64 v = ARG4(f);
	if (width == 1)
		outb((u16)port, (u8)v);
	else if (width == 2)
		outw((u16)port, (u16)v);
	else
		outl((u16)port, (u32)v);
	return LM_OK;
}
