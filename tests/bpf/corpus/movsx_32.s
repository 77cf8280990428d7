; what: 32-bit sign-extending moves zero the upper half
; 0xffffff80 & 0xffff8001 = 0xffff8000, or 1
; result: 0xffff8001
lddw r1, 0x1234567800000080
movsx832 r0, r1
lddw r1, 0x8001
movsx1632 r2, r1
and32 r0, r2
or32 r0, 1
exit
