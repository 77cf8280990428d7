; what: exit without setting r0
; reject: UNINIT_REG @ 0
exit
