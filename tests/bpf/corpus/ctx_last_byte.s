; what: reading the context's last byte is in bounds
; mem: 00 00 00 00 00 00 00 2a
; result: 0x2a
ldxb r0, [r1+7]
exit
