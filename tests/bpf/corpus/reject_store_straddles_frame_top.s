; what: an 8-byte store at r10-4 reaches 4 bytes above the frame
; reject: OUT_OF_BOUNDS @ 1
mov r0, 0
stdw [r10-4], 1
exit
