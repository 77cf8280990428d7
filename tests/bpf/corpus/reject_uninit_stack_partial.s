; what: an 8-byte load of which only 4 bytes were written
; reject: UNINIT_STACK @ 1
stw [r10-8], 1
ldxdw r0, [r10-8]
exit
