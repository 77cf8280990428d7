; what: signed 32-bit division by a register, result zero-extended
; result: 0xfffffffd
mov32 r0, -9
mov32 r1, 3
sdiv32 r0, r1
exit
