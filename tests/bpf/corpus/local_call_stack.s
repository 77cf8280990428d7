; what: a local call with its own frame; r6-r9 survive the call
; result: 0x2d
mov r6, 40
stdw [r10-8], 1
call local f
ldxdw r1, [r10-8]
add r0, r6
add r0, r1
exit
f:
stdw [r10-8], 3      ; the callee's own frame
ldxdw r0, [r10-8]
add r0, 1
mov r6, 1000         ; restored on return
exit
