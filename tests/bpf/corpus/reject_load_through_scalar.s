; what: a load through a number, not a pointer
; reject: BAD_ACCESS @ 1
mov r1, 0x400000
ldxb r0, [r1+0]
exit
