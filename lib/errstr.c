/* Names of the kernel's error codes, for messages. */
#include <lm/sys.h>

static const char *const err_names[LM_NERR] = {
	[LM_OK] = "LM_OK",           [LM_EINVAL] = "LM_EINVAL",
	[LM_ECAP] = "LM_ECAP",       [LM_ETYPE] = "LM_ETYPE",
	[LM_ERIGHTS] = "LM_ERIGHTS", [LM_EFAULT] = "LM_EFAULT",
	[LM_ENOMEM] = "LM_ENOMEM",   [LM_EEXIST] = "LM_EEXIST",
	[LM_ENOENT] = "LM_ENOENT",   [LM_ERANGE] = "LM_ERANGE",
	[LM_EALIGN] = "LM_EALIGN",   [LM_ESTATE] = "LM_ESTATE",
	[LM_ETABLE] = "LM_ETABLE",   [LM_ENOSYS] = "LM_ENOSYS",
	[LM_ELIMIT] = "LM_ELIMIT",   [LM_EDELETED] = "LM_EDELETED",
	[LM_EAGAIN] = "LM_EAGAIN",   [LM_EINTR] = "LM_EINTR",
	[LM_EVERIFY] = "LM_EVERIFY",
};

const char *lm_err_str(lm_u64 err)
{
	if (err < LM_NERR && err_names[err])
		return err_names[err];
	return "LM_E?";
}
