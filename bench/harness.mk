# bench/harness.mk - yl-peer-spawn, the memory of another runtime's tasks
# measured with bench's helpers (peers/README.md).
YL_PEER_SPAWN := $(O)/bin/yl-peer-spawn
ALL_PROGS += $(YL_PEER_SPAWN)

$(YL_PEER_SPAWN): $(O)/obj/bench/harness/peer_spawn.o $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm
