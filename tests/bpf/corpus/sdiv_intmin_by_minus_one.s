; what: INT64_MIN sdiv -1 is INT64_MIN (RFC 9669), no trap
; result: 0x8000000000000000
lddw r0, 0x8000000000000000
sdiv r0, -1
exit
