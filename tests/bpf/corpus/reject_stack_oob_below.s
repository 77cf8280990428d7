; what: a store below the 512-byte frame
; reject: OUT_OF_BOUNDS @ 0
stdw [r10-520], 1
mov r0, 0
exit
