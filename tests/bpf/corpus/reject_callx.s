; what: callx (call through a register) is not part of Lamina's ISA
; reject: OPCODE @ 1
mov r2, 5
callx r2
exit
