; what: arithmetic right shift keeps the sign; neg negates
; -64 arsh 3 = -8; neg = 8; arsh32 of 0x80000000 by 31 = 0xffffffff
; result: 0x100000007
mov r0, -64
arsh r0, 3
neg r0
mov32 r1, 0x80000000
arsh32 r1, 31
add r0, r1
exit
