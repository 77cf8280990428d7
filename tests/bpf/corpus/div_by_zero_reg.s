; what: division by a zero register gives 0 (RFC 9669), no trap
; result: 0x0
mov r0, 100
mov r1, 0
div r0, r1
exit
