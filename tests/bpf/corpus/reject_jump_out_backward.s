; what: a jump before the first instruction
; reject: JUMP_RANGE @ 1
mov r0, 0
jeq r0, 0, -3
exit
