# peers/python/build.mk - the asyncio programs: wrappers that run
# peers/python/<prog>.py under Debian's python3, built only when it is there.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) $(shell command -v python3 2>/dev/null))
ifneq ($(PYTHON),)
PEER_HAVE_python := 1
python_PROGS := $(patsubst peers/python/%.py,$(O)/bin/python/%,$(filter-out peers/python/peerlib.py,$(wildcard peers/python/*.py)))
PEER_PROGS += $(python_PROGS)
$(O)/bin/python/%: peers/python/%.py peers/python/build.mk
	$(call peer_wrapper,$(PYTHON) -X utf8 -B,$<)
endif
