; what: a bounded index checked before use: idx = ctx[0] & 7, then ctx[idx]
; mem: 05 11 22 33 44 55 66 77
; result: 0x55
ldxb r2, [r1+0]
and r2, 7
add r1, r2
ldxb r0, [r1+0]
exit
