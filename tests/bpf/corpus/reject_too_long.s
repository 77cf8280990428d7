; what: 4097 instructions, one more than LM_BPF_MAX_INSNS
; reject: TOO_LONG @ any
mov r0, 0
.repeat 4095 add r0, 1
exit
