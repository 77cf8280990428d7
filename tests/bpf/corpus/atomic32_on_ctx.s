; what: 32-bit atomics on a writable context, aligned
; mem: 01 00 00 00 f0 00 00 00
; result: 0xf3
mov r2, 2
lock fetch or32 [r1+0], r2   ; r2 = 1, word 0 = 3
ldxw r3, [r1+0]
mov r4, 0xff
lock and32 [r1+4], r4        ; word 1 = 0xf0
ldxw r0, [r1+4]
or r0, r3
exit
