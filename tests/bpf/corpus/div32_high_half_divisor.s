; what: div32 and mod32 use the low 32 bits of the divisor register only:
; 0x100000000 divides as 0 (quotient 0, remainder: the dividend kept),
; 0x100000003 as 3
; result: 0x7000000002a
mov r0, 42
lddw r1, 0x100000000
div32 r0, r1
mov r2, 42
mod32 r2, r1
lddw r3, 0x100000003
mov r4, 21
div32 r4, r3
lsh r4, 40
add r0, r2
add r0, r4
exit
