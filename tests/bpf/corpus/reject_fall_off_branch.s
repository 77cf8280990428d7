; what: a conditional jump last: its not-taken path runs off the end
; mem: 00 00 00 00 00 00 00 00
; reject: FALL_OFF @ any
ldxb r0, [r1+0]
ja +1
exit
jeq r0, 0, -2
