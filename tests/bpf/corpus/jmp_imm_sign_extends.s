; what: a 64-bit comparison sign-extends its 32-bit immediate, so
; 0x80000000 means 0xffffffff80000000; a 32-bit one compares low halves
; result: 0x3
mov r0, 0
lddw r1, 0xffffffff80000000
jne r1, 0x80000000, out
add r0, 1
mov32 r2, 0x80000000
jeq r2, 0x80000000, out
add r0, 1
jeq32 r2, 0x80000000, +1
exit
add r0, 1
out:
exit
