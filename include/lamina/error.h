/*
 * Error codes. Every system call returns one of these in rax; 0 is success.
 * On failure rdi holds the number (1..6) of the argument that was rejected
 * and rsi a detail value where the call documents one (docs/API.md).
 * A failed call has changed nothing.
 */
#ifndef LAMINA_ERROR_H
#define LAMINA_ERROR_H

enum lm_err {
	LM_OK       = 0,
	LM_EINVAL   = 1,  /* malformed argument: unknown type, flag or register set */
	LM_ECAP     = 2,  /* slot empty, or slot index outside the capability space */
	LM_ETYPE    = 3,  /* capability names the wrong kind of object */
	LM_ERIGHTS  = 4,  /* capability lacks a right the operation needs */
	LM_EFAULT   = 5,  /* user buffer not mapped with the access needed */
	LM_ENOMEM   = 6,  /* untyped memory has too little room left */
	LM_EEXIST   = 7,  /* destination slot full, or address already mapped */
	LM_ENOENT   = 8,  /* nothing mapped there / capability not mapped */
	LM_ERANGE   = 9,  /* number out of range (size, address, priority, count) */
	LM_EALIGN   = 10, /* address or size not aligned as required */
	LM_ESTATE   = 11, /* object not in a state that allows this */
	LM_ETABLE   = 12, /* paging structure missing; rsi = level (3 PDPT, 2 PD, 1 PT) */
	LM_ENOSYS   = 13, /* no such system call */
	LM_ELIMIT   = 14, /* used up: no free ID left in an address-space ID range */
	LM_EDELETED = 15, /* object deleted while the caller waited on it */
	LM_EAGAIN   = 16, /* nobody waiting (non-blocking send) */
	LM_EINTR    = 17, /* blocked call cancelled: the thread was suspended */
	LM_EVERIFY  = 18, /* eBPF program refused by the verifier: rsi = enum
	                     lm_bpf_verr, rdx = the instruction's index */
	LM_NERR
};

#endif
