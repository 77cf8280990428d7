; what: modulo by a zero register keeps the dividend (RFC 9669)
; result: 0x64
mov r0, 100
mov r1, 0
mod r0, r1
exit
