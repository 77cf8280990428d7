; what: unconditional byte swaps (v4 bswap16/32/64)
; result: 0x8877665544332211
lddw r1, 0x1122334455667788
bswap64 r1
lddw r2, 0xaabbccdd
bswap32 r2
lddw r3, 0x1234
bswap16 r3
mov r0, r1
exit
