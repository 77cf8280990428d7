; what: signed modulo takes the dividend's sign: -7 smod 3 = -1
; result: 0xffffffffffffffff
mov r0, -7
mov r1, 3
smod r0, r1
exit
