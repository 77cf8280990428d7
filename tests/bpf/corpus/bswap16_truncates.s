; what: bswap16 keeps only the swapped low 16 bits
; result: 0x3412
lddw r0, 0xffffffffffff1234
bswap16 r0
exit
