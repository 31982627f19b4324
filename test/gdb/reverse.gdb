# Run after forward.gdb in one session: reverse execution, then the EVAL child frame.
# 0x10000 is where every child frame's code starts (its own code ROM).
delete
break square
continue
info registers
break run_child
continue
reverse-continue
info registers
print v
reverse-step
print i
delete
reverse-continue
print $pc
break *0x10000
continue
monitor frames
monitor gas
monitor cycles
monitor pipe
info threads
thread 2
bt
thread 1
delete
continue
