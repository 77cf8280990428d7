; what: ja32 (gotol) with its offset in imm past the end
; reject: JUMP_RANGE @ 1
mov r0, 0
ja32 +100000
exit
