; what: 32-bit modulo by zero keeps the low half of the dividend, zero-extended
; result: 0x5
lddw r0, 0x700000005
mov32 r1, 0
mod32 r0, r1
exit
