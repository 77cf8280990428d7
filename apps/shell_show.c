/*
 * The shell's commands that show its own state: `caps` (its capability
 * space) and `mem` (its free memory and the memory manager's accounts).
 */
#include <lm/lamina.h>
#include "../servers/console/console.h"
#include "shell.h"
#include "shell_pm.h"

static const char *type_name(lm_u64 t)
{
	static const char *const n[] = {
		"null", "untyped", "frame", "ptable", "vspace", "cnode", "tcb",
		"ioport", "endpoint", "notify", "irqctl", "irq",
	};
	return t < sizeof n / sizeof n[0] ? n[t] : "?";
}

static void rights_str(lm_u64 r, char out[5])
{
	out[0] = r & LM_R_READ ? 'r' : '-';
	out[1] = r & LM_R_WRITE ? 'w' : '-';
	out[2] = r & LM_R_EXEC ? 'x' : '-';
	out[3] = r & LM_R_GRANT ? 'g' : '-';
	out[4] = 0;
}

static void size_str(lm_u64 bytes, char *out, lm_u64 n)
{
	if (bytes >= (1ull << 30) && !(bytes & ((1ull << 30) - 1)))
		lm_snprintf(out, n, "%lu GiB", bytes >> 30);
	else if (bytes >= (1ull << 20) && !(bytes & ((1ull << 20) - 1)))
		lm_snprintf(out, n, "%lu MiB", bytes >> 20);
	else if (bytes >= (1ull << 10) && !(bytes & ((1ull << 10) - 1)))
		lm_snprintf(out, n, "%lu KiB", bytes >> 10);
	else
		lm_snprintf(out, n, "%lu B", bytes);
}

/* One line per capability, except that runs of alike frames and tables
 * (image, stack, modules) are shown as one line each. */
void sh_cmd_caps(const struct lm_bootinfo *bi)
{
	lm_cptr_t end = 1ull << bi->cnode_bits, n = 0;

	sh_printf("CSpace: 2^%u slots\n", bi->cnode_bits);
	for (lm_cptr_t s = 1; s < end; s++) {
		lm_u64 desc, addr, extra;
		char r[5], sz[24];

		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &addr, &extra) ||
		    LM_ID_TYPE(desc) == LM_OBJ_NULL)
			continue;
		n++;
		lm_u64 t = LM_ID_TYPE(desc);
		rights_str(LM_ID_RIGHTS(desc), r);
		if (t == LM_OBJ_FRAME || t == LM_OBJ_PTABLE) {
			lm_cptr_t last = s;
			lm_u64 d2;

			while (last + 1 < end &&
			       !lm_cnode_identify(LM_SLOT_CNODE, last + 1, &d2, 0, 0) &&
			       (d2 & ~0ull) == desc)
				last++;
			size_str(1ull << LM_ID_BITS(desc), sz, sizeof sz);
			if (last == s)
				sh_printf("%6lu        %-8s %s %s at %#lx%s%s\n", s, type_name(t), r, sz,
					  addr, desc & LM_ID_MAPPED ? ", mapped" : "",
					  s == LM_SLOT_BOOTINFO ? " (bootinfo)" : "");
			else
				sh_printf("%6lu-%-6lu %-8s %s %lu x %s from %#lx%s\n", s, last, type_name(t),
					  r, last - s + 1, sz, addr,
					  desc & LM_ID_MAPPED ? ", mapped" : "");
			n += last - s;
			s = last;
			continue;
		}
		sh_printf("%6lu        %-8s %s", s, type_name(t), r);
		switch (t) {
		case LM_OBJ_UNTYPED:
			size_str(1ull << LM_ID_BITS(desc), sz, sizeof sz);
			sh_printf(" %s at %#lx, %lu KiB free", sz, addr, extra >> 10);
			break;
		case LM_OBJ_CNODE:
			sh_printf(" 2^%lu slots", LM_ID_BITS(desc));
			break;
		case LM_OBJ_IOPORT:
			sh_printf(" ports %#lx-%#lx", addr, addr + extra - 1);
			break;
		default:
			if (addr)
				sh_printf(" badge %#lx", addr);
		}
		if (s == LM_SLOT_CNODE || s == LM_SLOT_VSPACE || s == LM_SLOT_TCB)
			con_puts(" (own)");
		else if (t == LM_OBJ_TCB)
			sh_printf(" (%s)", sh_tcb_name(s));
		else if (s == SH_SLOT_CON_EP)
			con_puts(" (console endpoint)");
		else if (s == SH_SLOT_CON_IN)
			con_puts(" (console input)");
		else if (s == SH_SLOT_EVENTS)
			con_puts(" (events: Ctrl-C, child stops)");
		con_puts("\n");
	}
	sh_printf("%lu capabilities\n", n);
}

void sh_cmd_mem(const struct lm_bootinfo *bi)
{
	lm_u64 free = 0, total = 0, n = 0;

	for (lm_cptr_t s = 1; s < 1ull << bi->cnode_bits; s++) {
		lm_u64 desc, extra;

		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, &extra) ||
		    LM_ID_TYPE(desc) != LM_OBJ_UNTYPED)
			continue;
		n++;
		free += extra;
	}
	for (lm_u32 i = 0; i < bi->n_untyped && i < LM_BI_MAX_UNTYPED; i++)
		total += 1ull << bi->untyped[i].size_bits;
	sh_printf("free: %lu KiB (%lu MiB) in %lu untyped capabilities\n", free >> 10, free >> 20, n);
	sh_printf("given to the shell: %lu MiB; total RAM: %lu MiB\n", total >> 20,
		  bi->ram_bytes >> 20);
	/* The memory manager's accounts (servers/mem): 2 MiB chunks. */
	lm_u64 a[4];
	if (sh_mem_next(1, a)) {
		con_puts("memory manager: none\n");
		return;
	}
	sh_printf("memory manager accounts (chunks of 2 MiB):\n"
		  "  badge parent    quota      use  guaranteed\n");
	for (lm_u64 b = 1; !sh_mem_next(b, a); b = a[0] + 1)
		sh_printf("  %5lu %6lu %8lu %8lu %11lu\n", a[0], a[1], a[2], a[3] & 0xffffffff,
			  a[3] >> 32); /* MEM_LIST: w3 = use | guaranteed << 32 */
}
