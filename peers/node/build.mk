# peers/node/build.mk - the Node.js programs: wrappers that run
# peers/node/<prog>.js under Debian's node, built only when node is there.
NODE ?= $(firstword $(wildcard /usr/bin/node) $(shell command -v node 2>/dev/null))
ifneq ($(NODE),)
PEER_HAVE_node := 1
node_PROGS := $(patsubst peers/node/%.js,$(O)/bin/node/%,$(filter-out peers/node/lib.js,$(wildcard peers/node/*.js)))
PEER_PROGS += $(node_PROGS)
$(O)/bin/node/%: peers/node/%.js peers/node/build.mk
	$(call peer_wrapper,$(NODE),$<)
endif
