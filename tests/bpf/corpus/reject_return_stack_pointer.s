; what: returning a pointer into the stack in r0
; reject: PTR_LEAK @ 2
mov r0, r10
add r0, -8
exit
