# runtime/build.mk - the workload programs as async tasks on libyl. Each
# links bench's trace writer as an object, not from the archive: nothing
# in a program names it, it installs itself as libyl's tracer at start-up.
YLTRACE_OBJ := $(O)/obj/bench/yltrace.o
$(eval $(call program_dir,runtime,tasks,$(YLTRACE_OBJ) $(LIBBENCH) $(LIBYL)))

# pingpong --variant boost: Boost.Context's switch, measured next to ours.
# Only where its static library links (bench deps group; never required),
# and not under a sanitizer, which would see its stack switches as wild
# jumps of the stack pointer (ours are announced to it, Boost's are not).
ifeq ($(SAN),)
HAVE_BOOST_CONTEXT := $(shell printf 'int main(void){return 0;}' | \
  $(CC) -x c - -o /dev/null -l:libboost_context.a 2>/dev/null && echo 1)
endif
ifeq ($(HAVE_BOOST_CONTEXT),1)
$(O)/obj/runtime/pingpong.o: CPPFLAGS += -DPP_BOOST
$(O)/bin/tasks/pingpong: LDLIBS += -l:libboost_context.a
endif

# yieldparts: the stamped scheduler (runtime/yl/build.mk) in place of libyl's.
$(O)/bin/tasks/yieldparts: $(O)/obj/runtime/yieldparts.o $(YLTRACE_OBJ) $(LIBBENCH) $(YL_PHASES_OBJ) $(LIBYL)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
