; what: moving a value into r10, the frame pointer
; reject: WRITE_R10 @ 1
mov r0, 0
mov r10, 0
exit
