; what: lock add and lock fetch add on an aligned stack slot
; result: 0x1e
stdw [r10-8], 10
mov r1, 5
lock add [r10-8], r1
mov r2, 15
lock fetch add [r10-8], r2   ; r2 = 15 (old value), slot = 30
ldxdw r0, [r10-8]
exit
