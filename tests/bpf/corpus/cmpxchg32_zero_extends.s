; what: a failed 32-bit compare-and-exchange leaves memory as it was and
; puts the old low word in r0, zero-extended; one that succeeds writes the
; low word only
; result: 0x9abcdef012345678
lddw r1, 0x123456789abcdef0
stxdw [r10-8], r1
mov r0, -1
mov r2, 7
lock cmpxchg32 [r10-8], r2
mov r3, r0
ldxdw r4, [r10-8]
jne r4, r1, bad
lsh r3, 32
mov r0, r3
mov32 r5, 0x12345678
mov32 r0, 0x9abcdef0
lock cmpxchg32 [r10-8], r5
ldxw r0, [r10-8]
add r0, r3
exit
bad:
mov r0, 0
exit
