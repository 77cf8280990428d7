; what: 32-bit signed compares look only at the low half
; r1 = 0x1_ffffffff: as 32 bits it is -1, so jslt32 r1, 0 is taken
; result: 0x1
lddw r1, 0x1ffffffff
mov r0, 0
jslt32 r1, 0, neg
exit
neg:
mov r0, 1
jsgt r1, 0, done       ; 64-bit: positive, taken
mov r0, 2
done:
exit
