; what: signed 64-bit division truncates toward zero (v4 sdiv)
; result: 0xfffffffffffffffd
mov r0, -7
sdiv r0, 2
exit
