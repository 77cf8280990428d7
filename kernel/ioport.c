/* I/O-port capabilities: a range of ports; each access is checked against it. */
#include <lamina/syscall.h>
#include "asm.h"
#include "syscall.h"
#include "cnode.h"

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

/* A capability for a sub-range of this one, as its child: a driver gets
 * the ports of its device and nothing else, and revoking the parent takes
 * them back. The child has the parent's rights. */
SYS(ioport_issue)
{
	struct slot *s, *cn, *dst;
	u64 first = ARG2(f), count = ARG3(f), e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_IOPORT, 0, 1, &s)))
		return e;
	if (first < s->cap.obj || first >= s->cap.obj + s->cap.w2)
		return SYSERR(LM_ERANGE, 2);
	if (count == 0 || count > s->cap.obj + s->cap.w2 - first)
		return SYSERR(LM_ERANGE, 3);
	if ((e = cap_lookup(ARG4(f), LM_OBJ_CNODE, LM_R_WRITE, 4, &cn)) ||
	    (e = cnode_index(cn, ARG5(f), 5, &dst)))
		return e;
	if (dst->cap.type != LM_OBJ_NULL)
		return SYSERR(LM_EEXIST, 5);
	struct cap c = s->cap;
	c.obj = first;
	c.w2 = count;
	c.flags = 0;
	cnode_mark(&cn->cap, ARG5(f), 1);
	cap_insert(dst, &c, s);
	return LM_OK;
}
