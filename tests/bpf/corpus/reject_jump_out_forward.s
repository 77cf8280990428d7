; what: a jump past the last instruction
; reject: JUMP_RANGE @ 1
mov r0, 0
ja +5
exit
