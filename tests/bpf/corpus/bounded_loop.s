; what: a counted loop in assembly: sum 1..10
; result: 0x37
mov r0, 0
mov r1, 1
loop:
add r0, r1
add r1, 1
jle r1, 10, loop
exit
