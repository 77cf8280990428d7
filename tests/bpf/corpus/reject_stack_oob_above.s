; what: a store at the frame pointer itself, above the frame
; reject: OUT_OF_BOUNDS @ 0
stw [r10+0], 1
mov r0, 0
exit
