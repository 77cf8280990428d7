; what: xchg returns the old value; cmpxchg compares with r0
; result: 0x63
stdw [r10-8], 1
mov r1, 7
lock xchg [r10-8], r1        ; r1 = 1, slot = 7
mov r0, 7
mov r2, 99
lock cmpxchg [r10-8], r2     ; slot was 7 = r0: slot = 99, r0 = 7
ldxdw r0, [r10-8]
exit
