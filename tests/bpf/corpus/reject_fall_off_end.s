; what: the last instruction is not an exit or a jump
; reject: FALL_OFF @ any
mov r0, 0
