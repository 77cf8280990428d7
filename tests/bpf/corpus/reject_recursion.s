; what: a function that calls itself (bounded by its argument, still refused)
; reject: CALL_DEPTH @ 6
mov r1, 3
call local f
exit
f: mov r0, 0
jeq r1, 0, +2
sub r1, 1
call local f
exit
