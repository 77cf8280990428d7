; what: every 32-bit ALU result clears the upper 32 bits
; result: 0x2
lddw r0, 0xffffffff00000001
add32 r0, 1
exit
