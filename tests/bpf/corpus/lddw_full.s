; what: lddw loads all 64 bits; the upper half survives arithmetic
; result: 0xdeadbeefcafef00f
lddw r0, 0xdeadbeefcafef00d
add r0, 2
exit
