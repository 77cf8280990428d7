; what: jgt32/jle32/jset32 with a register and an immediate
; result: 0x7
mov r0, 0
lddw r1, 0x100000005
mov r2, 4
jgt32 r1, r2, a
ja out
a: or r0, 1
jle32 r1, 5, b
ja out
b: or r0, 2
jset32 r1, 4, c
ja out
c: or r0, 4
out: exit
