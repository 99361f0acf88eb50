# peers/go/build.mk - the goroutine programs, built with Debian's Go
# (golang-go) only when it is there. Standard library only, so nothing is
# fetched: no GOPROXY, no toolchain switch, no cgo, no user settings; the
# cache and GOPATH live under build/, never in $HOME. Built once into
# build/peers/go/bin/ and copied into each $(O)/bin/go/, so the sanitizer
# and clang trees reuse it.
PEER_GO ?= $(firstword $(wildcard /usr/bin/go /usr/lib/go/bin/go))
ifneq ($(PEER_GO),)
PEER_HAVE_go := 1
GO_PEER_NAMES := foo hello pingpong spawn counter server
go_PROGS := $(addprefix $(O)/bin/go/,$(GO_PEER_NAMES))
PEER_PROGS += $(go_PROGS)
GO_PEER_OUT := $(abspath build/peers/go)
GO_PEER_ENV := env -u GOTOOLCHAIN GOENV=off GOFLAGS= GO111MODULE=on GOPROXY=off \
  GOSUMDB=off CGO_ENABLED=0 GOCACHE=$(GO_PEER_OUT)/cache GOPATH=$(GO_PEER_OUT)/path

$(GO_PEER_OUT)/stamp: peers/go/go.mod $(wildcard peers/go/*/*.go) peers/go/build.mk
	@mkdir -p $(GO_PEER_OUT)/bin
	$(if $(Q),@echo "  GO      peers/go ($(notdir $(PEER_GO)) build)")
	$(Q)cd peers/go && $(GO_PEER_ENV) $(PEER_GO) build -trimpath \
	  -o $(GO_PEER_OUT)/bin/ $(addprefix ./,$(GO_PEER_NAMES))
	@touch $@

$(O)/bin/go/%: $(GO_PEER_OUT)/stamp
	@mkdir -p $(@D)
	$(Q)install -m 755 $(GO_PEER_OUT)/bin/$* $@
endif
