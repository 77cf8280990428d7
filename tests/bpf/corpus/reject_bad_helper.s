; what: a call of helper 99, which does not exist
; reject: HELPER @ 0
call 99
exit
