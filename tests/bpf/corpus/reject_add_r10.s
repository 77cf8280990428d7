; what: arithmetic on r10 itself (copy it first to move a pointer)
; reject: WRITE_R10 @ 0
add r10, -8
mov r0, 0
exit
