/* lib/elf.c against hand-made and corrupted images: bad input gives an
 * error, never a crash, and what passes is safe to load. */
#include <lamina/elf.h>
#include "harness.h"



#define IMG_SIZE 0x3000

static lm_u8 img[IMG_SIZE] __attribute__((aligned(8)));

static struct lm_elf_ehdr *eh(void)
{
	return (struct lm_elf_ehdr *)img;
}

static struct lm_elf_phdr *ph(int i)
{
	return (struct lm_elf_phdr *)(img + 64 + i * 56);
}

/* Two segments: text (R-X) at 0x400000 from file offset 0x1000, data
 * (RW-) at 0x401000 from 0x2000 with a bss tail. */
static void make_elf(void)
{
	static const lm_u8 ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	memset(img, 0, sizeof img);
	memcpy(eh()->ident, ident, 16);
	eh()->type = 2;
	eh()->machine = 62;
	eh()->version = 1;
	eh()->entry = 0x400010;
	eh()->phoff = 64;
	eh()->ehsize = 64;
	eh()->phentsize = 56;
	eh()->phnum = 2;
	*ph(0) = (struct lm_elf_phdr){ 1, 5, 0x1000, 0x400000, 0x400000, 0x800, 0x800, 0x1000 };
	*ph(1) = (struct lm_elf_phdr){ 1, 6, 0x2000, 0x401000, 0x401000, 0x100, 0x5000, 0x1000 };
}

static int check(void)
{
	return lm_elf_check(img, sizeof img, 0, 0);
}

TEST(elf_accepts_a_minimal_executable)
{
	lm_u64 entry;
	lm_u32 n;
	struct lm_elf_seg s;

	make_elf();
	CHECK_OK(lm_elf_check(img, sizeof img, &entry, &n));
	CHECK_EQ(entry, 0x400010);
	CHECK_EQ(n, 2);
	CHECK_OK(lm_elf_segment(img, sizeof img, 1, &s));
	CHECK_EQ(s.vaddr, 0x401000);
	CHECK_EQ(s.memsz, 0x5000);
	CHECK_EQ(s.rights, LM_R_READ | LM_R_WRITE);
	CHECK_ERR(lm_elf_segment(img, sizeof img, 2, &s), LM_EINVAL);
}

TEST(elf_accepts_the_boot_modules)
{
	static const char *const names[] = { "probe", "hello" };
	lm_u32 n;

	for (lm_u32 i = 0; i < 2; i++) {
		lm_u64 size;
		const void *m = t_module(names[i], &size);

		CHECK(m);
		CHECK_OK(lm_elf_check(m, size, 0, &n));
		CHECK_EQ(n, 3);
	}
}

TEST(elf_rejects_short_or_foreign_headers)
{
	make_elf();
	CHECK_ERR(lm_elf_check(img, 63, 0, 0), LM_EINVAL);
	CHECK_ERR(lm_elf_check(0, sizeof img, 0, 0), LM_EINVAL);
	img[0] = 0x7e;
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	img[4] = 1; /* ELFCLASS32 */
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	img[5] = 2; /* big-endian */
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	eh()->type = 3; /* ET_DYN */
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	eh()->machine = 3; /* i386 */
	CHECK_ERR(check(), LM_EINVAL);
}

TEST(elf_rejects_program_headers_outside_the_image)
{
	make_elf();
	eh()->phoff = sizeof img - 56;
	CHECK_ERR(check(), LM_EINVAL); /* the second one runs off the end */
	make_elf();
	eh()->phoff = ~0ull - 8;
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	eh()->phnum = 0xffff;
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	eh()->phnum = 0;
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	eh()->phentsize = 32;
	CHECK_ERR(check(), LM_EINVAL);
}

TEST(elf_rejects_segments_outside_the_file)
{
	make_elf();
	ph(1)->filesz = sizeof img; /* offset 0x2000 + the whole size */
	ph(1)->memsz = sizeof img;
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	ph(1)->offset = ~0ull - 0x10;
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	ph(0)->filesz = 0x900; /* more in the file than in memory */
	CHECK_ERR(check(), LM_EINVAL);
}

TEST(elf_rejects_segments_outside_user_space)
{
	make_elf();
	ph(1)->vaddr = 0;
	CHECK_ERR(check(), LM_ERANGE);
	make_elf();
	ph(1)->vaddr = 0xffffffff80000000ull;
	CHECK_ERR(check(), LM_ERANGE);
	make_elf();
	ph(1)->vaddr = LM_USER_MAX - 0x1000;
	ph(1)->memsz = 0x2000;
	CHECK_ERR(check(), LM_ERANGE);
	make_elf();
	ph(1)->vaddr = 0x401000;
	ph(1)->memsz = ~0ull - 0x1000; /* vaddr + memsz wraps */
	CHECK_ERR(check(), LM_ERANGE);
}

TEST(elf_rejects_segments_sharing_a_page)
{
	make_elf();
	ph(1)->vaddr = 0x400800; /* same page as the end of text */
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	ph(1)->vaddr = 0x3ff000; /* overlaps from below */
	ph(1)->memsz = 0x1800;
	CHECK_ERR(check(), LM_EINVAL);
}

TEST(elf_rejects_an_entry_outside_executable_code)
{
	make_elf();
	eh()->entry = 0x401000; /* data */
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	eh()->entry = 0x500000; /* nowhere */
	CHECK_ERR(check(), LM_EINVAL);
	make_elf();
	ph(0)->type = 4; /* PT_NOTE: no loadable text left */
	CHECK_ERR(check(), LM_EINVAL);
}

static lm_u64 xorshift(lm_u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

TEST(elf_corrupted_images_fail_cleanly_or_load_safely)
{
	lm_u64 seed = 0x1234567 ^ t_rdtsc(), size, entry;
	lm_u32 accepted = 0, n;
	struct lm_elf_seg s;

	for (lm_u32 round = 0; round < 20000; round++) {
		make_elf();
		for (int k = 0; k < 3; k++) {
			lm_u64 r = xorshift(&seed);

			img[r % (64 + 2 * 56)] = (lm_u8)(r >> 32);
		}
		size = xorshift(&seed) % 4 ? sizeof img : xorshift(&seed) % sizeof img;
		if (lm_elf_check(img, size, &entry, &n) != LM_OK)
			continue;
		accepted++;
		for (lm_u32 i = 0; i < n; i++) {
			CHECK_OK(lm_elf_segment(img, size, i, &s));
			CHECK(s.vaddr >= LM_USER_MIN && s.vaddr < LM_USER_MAX);
			CHECK(s.memsz <= LM_USER_MAX - s.vaddr);
			CHECK(s.filesz <= s.memsz);
			CHECK(s.offset <= size && s.filesz <= size - s.offset);
		}
	}
	CHECK(accepted > 0); /* some corruptions are harmless */
}
