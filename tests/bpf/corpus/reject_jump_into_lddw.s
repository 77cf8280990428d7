; what: a jump onto the second slot of an lddw
; reject: JUMP_LDDW @ 1
mov r0, 0
jeq r0, 0, +1
lddw r0, 0x1122334455667788
exit
