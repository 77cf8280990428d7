/* Debug console output, panics and symbolic backtraces. */
#include "arch.h"

extern const u64 ksyms_count;
extern const u64 ksyms_addrs[];
extern const char ksyms_names[];
extern char text_start[], text_end[], bss_start[], bss_end[];

static void con_put(char c, void *arg) { serial_putc(c); }

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(con_put, NULL, fmt, ap);
	va_end(ap);
}

/* Name of the function containing addr (names are stored back to back). */
static const char *ksym(u64 addr, u64 *off)
{
	const char *name = ksyms_names;
	const char *best = NULL;
	for (u64 i = 0; i < ksyms_count; i++) {
		if (ksyms_addrs[i] > addr)
			break;
		best = name;
		*off = addr - ksyms_addrs[i];
		name += strlen(name) + 1;
	}
	return best;
}

static void print_addr(u64 a)
{
	u64 off = 0;
	const char *name = ksym(a, &off);
	kprintf("  %p %s+0x%lx\n", (void *)a, name ? name : "?", off);
}

/* Name rip, then follow the frame-pointer chain. The hot-path files build
 * without frame pointers (Makefile, KHOT_SRC): in one of their frames rbp
 * may hold anything, so the walk goes on only while rbp points into .bss,
 * where the kernel stack is (never a fault while panicking). */
void backtrace(u64 rip, u64 rbp)
{
	kprintf("backtrace:\n");
	print_addr(rip);
	for (int depth = 0; depth < 32 && rbp >= (u64)bss_start && rbp + 16 <= (u64)bss_end &&
			    IS_ALIGNED(rbp, 8);
	     depth++) {
		u64 ret = ((u64 *)rbp)[1];
		if (ret < (u64)text_start || ret >= (u64)text_end)
			break;
		print_addr(ret);
		rbp = ((u64 *)rbp)[0];
	}
}

__attribute__((noreturn)) void panic(const char *fmt, ...)
{
	va_list ap;
	__asm__ volatile("cli");
	kprintf("PANIC: ");
	va_start(ap, fmt);
	vformat(con_put, NULL, fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace((u64)panic, (u64)__builtin_frame_address(0));
	qemu_exit(3);
}
