; what: jset on a register operand and jne with an immediate
; result: 0x1
mov r0, 0
mov r1, 0x18
mov r2, 0x10
jset r1, r2, +1
exit
jne r1, 0x18, +1
mov r0, 1
exit
