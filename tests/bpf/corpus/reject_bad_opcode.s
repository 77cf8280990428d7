; what: opcode 0xff is no eBPF instruction
; reject: OPCODE @ 1
mov r0, 0
.insn 0xff, 0, 0, 0, 0
exit
