; what: a destination register above r10
; reject: REG @ 0
.insn 0xb7, 11, 0, 0, 0
mov r0, 0
exit
