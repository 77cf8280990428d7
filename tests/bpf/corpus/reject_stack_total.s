; what: eight frames of 512 bytes each: every frame is in bounds and the
; what: depth is allowed, but together they use more stack than allowed
; reject: STACK_DEPTH @ any
stdw [r10-512], 0
call local f1
exit
f1: stdw [r10-512], 0
call local f2
exit
f2: stdw [r10-512], 0
call local f3
exit
f3: stdw [r10-512], 0
call local f4
exit
f4: stdw [r10-512], 0
call local f5
exit
f5: stdw [r10-512], 0
call local f6
exit
f6: stdw [r10-512], 0
call local f7
exit
f7: stdw [r10-512], 0
mov r0, 0
exit
