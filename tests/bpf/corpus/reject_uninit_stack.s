; what: reading stack bytes nothing has written
; reject: UNINIT_STACK @ 0
ldxdw r0, [r10-8]
exit
