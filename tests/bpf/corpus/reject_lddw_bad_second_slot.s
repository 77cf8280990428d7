; what: an lddw whose second slot has a nonzero opcode
; reject: LDDW @ 0
.insn 0x18, 0, 0, 0, 1
.insn 0xb7, 0, 0, 0, 0
exit
