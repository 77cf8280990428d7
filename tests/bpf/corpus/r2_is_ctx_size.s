; what: r2 holds the context's size
; mem: 00 00 00 00 00 00 00 00 00 00 00 00
; result: 0xc
mov r0, r2
exit
