; what: mov with an immediate but a source register set (reserved field)
; reject: OPCODE @ 0
.insn 0xb7, 0, 1, 0, 1
exit
