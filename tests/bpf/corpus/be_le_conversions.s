; what: be16/be32 swap on a little-endian machine, le64 changes nothing
; mem: 12 34 56 78 9a bc de f0
; be16 of 0x3412 = 0x1234; be32 of 0x78563412 = 0x12345678; sum = 0x123468ac
; result: 0x123468ac
ldxh r2, [r1+0]
be16 r2
ldxw r3, [r1+0]
be32 r3
le64 r3
mov r0, r2
add r0, r3
exit
