; what: signed 32-bit modulo by an immediate: 7 smod -3 = 1
; result: 0x1
mov32 r0, 7
smod32 r0, -3
exit
