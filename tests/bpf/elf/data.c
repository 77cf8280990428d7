/* Programs that use global data, which Lamina refuses (no maps, no data
 * sections): the loader names the symbol. */
#define SEC(name) __attribute__((section(name), used))

typedef unsigned char u8;

int counter;
const int table[4] = { 10, 20, 30, 40 };

SEC("uses_counter") int prog_uses_counter(u8 *p)
{
	return counter + p[0];
}

SEC("uses_table") int prog_uses_table(u8 *p)
{
	return table[p[0] & 3];
}

SEC("no_data") int prog_no_data(u8 *p)
{
	return p[1] + 1;
}
