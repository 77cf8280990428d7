; what: a jump to itself: a loop without exit
; mem: 00 00 00 00 00 00 00 00
; reject: LOOP @ 3
ldxb r2, [r1+0]
mov r0, 0
jeq r2, 0, +1
ja -1
exit
