; what: shift counts are masked to 63 (64-bit) and 31 (32-bit)
; lsh by 65 = lsh by 1; lsh32 by 33 = lsh32 by 1
; result: 0x6
mov r0, 1
mov r1, 65
lsh r0, r1
mov32 r2, 1
mov32 r3, 33
lsh32 r2, r3
add r0, r2
add r0, r2
exit
