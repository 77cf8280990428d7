; what: sign-extending loads (v4 ldxsb, ldxsh, ldxsw) from the context
; mem: 80 00 ff 7f fe ff ff ff
; -128 + 32767 + -2 = 32637
; result: 0x7f7d
ldxsb r2, [r1+0]
ldxsh r3, [r1+2]
ldxsw r4, [r1+4]
mov r0, r2
add r0, r3
add r0, r4
exit
