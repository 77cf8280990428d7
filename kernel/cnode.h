/* CNodes: arrays of 2^bits slots; slot 0 holds the header, never a cap. */
#ifndef CNODE_H
#define CNODE_H

#include "cap.h"

static inline struct objhdr *cnode_hdr(const struct cap *c)
{
	return (struct objhdr *)c->obj;
}
static inline struct slot *cnode_slots(const struct cap *c)
{
	return (struct slot *)c->obj;
}

bool cnode_finalise(struct objhdr *h, u32 *budget);
#endif
