# The forward half of test/gdb.test.ts: run against evminf gdb and qemu-riscv32 -g alike,
# the transcripts must be the same.
set pagination off
set confirm off
break accumulate
continue
next
next
print total
print counter
break square
continue
step
print sq
finish
delete
break square if v == 3
continue
print v
print counter
print squares[2]
up
print i
down
delete
watch counter
continue
continue
print counter
print squares[4]
