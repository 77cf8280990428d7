; what: the checksum helper (2) given a number where it takes a pointer
; reject: HELPER_ARG @ 3
mov r1, 0x1000
mov r2, 4
mov r3, 0
call 2
exit
