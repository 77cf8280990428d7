// what: signed comparisons and arithmetic shift on context values
// mem: f6 ff ff ff ff ff ff ff 05 00 00 00 00 00 00 00
// result: 0x3
#include "corpus.h"

SEC("prog") int signs(s64 *p)
{
	s64 a = p[0], b = p[1];   /* -10, 5 */
	int r = 0;
	if (a < b)
		r |= 1;
	if ((a >> 1) == -5)
		r |= 2;
	if (a > 0)
		r |= 4;
	return r;
}
