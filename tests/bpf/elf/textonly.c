/* An object without program sections: its one program is the function at
 * the start of .text, which calls the one after it. */
typedef unsigned char u8;

static __attribute__((noinline)) int second(const u8 *p)
{
	return p[2] * 3;
}

int first(const u8 *p)
{
	return second(p) + 1;
}
