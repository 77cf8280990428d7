; what: an instruction no path reaches (after a ja32) is refused
; reject: UNREACHABLE @ 1
ja32 +2
mov r0, 0
exit
mov r0, 1
exit
