; what: an instruction after exit that no jump reaches
; reject: UNREACHABLE @ 2
mov r0, 0
exit
mov r0, 1
exit
