; what: a 64-bit atomic at an address that is not a multiple of 8
; reject: BAD_ACCESS @ 4
stdw [r10-16], 0
stdw [r10-8], 0
mov r1, 1
mov r0, 0
lock add [r10-12], r1
exit
