; what: reading r3, which nothing has written
; reject: UNINIT_REG @ 0
mov r0, r3
exit
