; what: an lddw whose second slot is missing (the program ends)
; reject: LDDW @ 1
mov r0, 0
.insn 0x18, 0, 0, 0, 1
