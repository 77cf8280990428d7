; what: an atomic operation code that does not exist (sub, 0x10)
; reject: OPCODE @ 2
stdw [r10-8], 0
mov r1, 1
.insn 0xdb, 10, 1, -8, 0x10
mov r0, 0
exit
