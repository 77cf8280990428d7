; what: division with off 2: only 0 (unsigned) and 1 (signed) exist
; reject: OPCODE @ 1
mov r0, 10
.insn 0x37, 0, 0, 2, 3
exit
