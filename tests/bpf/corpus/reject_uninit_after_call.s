; what: r1-r5 are not preserved across a call: reading r1 after it
; reject: UNINIT_REG @ 1
call local f
mov r0, r1
exit
f: mov r0, 0
exit
