; what: a local call whose target lies past the end
; reject: JUMP_RANGE @ 0
call local +10
exit
