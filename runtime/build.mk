# runtime/build.mk - the workload programs as async tasks on libyl. Each
# links bench's trace writer as an object, not from the archive: nothing
# in a program names it, it installs itself as libyl's tracer at start-up.
YLTRACE_OBJ := $(O)/obj/bench/yltrace.o
$(eval $(call program_dir,runtime,tasks,$(YLTRACE_OBJ) $(LIBYL) $(LIBBENCH)))
