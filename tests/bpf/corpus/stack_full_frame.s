; what: the whole 512-byte frame, lowest and highest bytes, is usable
; result: 0x3
stb [r10-512], 1
stb [r10-1], 2
ldxb r0, [r10-512]
ldxb r1, [r10-1]
add r0, r1
exit
