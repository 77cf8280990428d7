; what: lddw with src 1 (a Linux map reference): no maps in Lamina
; reject: LDDW @ 0
.insn 0x18, 0, 1, 0, 3
.insn 0, 0, 0, 0, 0
mov r0, 0
exit
