; what: sign-extending moves from 8, 16 and 32 bits into 64 (v4 movsx)
; -1 + -32768 + -2147483647 + 2147483647 = -32769
; result: 0xffffffffffff7fff
lddw r1, 0xff
movsx8 r2, r1
lddw r1, 0x8000
movsx16 r3, r1
lddw r1, 0x80000001
movsx32 r4, r1
mov r0, r2
add r0, r3
add r0, r4
add r0, 0x7fffffff
exit
