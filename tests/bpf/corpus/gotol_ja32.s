; what: ja32 (gotol, v4) jumps by the offset in imm, forward and back
; result: 0x3
mov r0, 0
ja32 second
first:
add r0, 2
exit
second:
add r0, 1
ja32 first
