# peers/tokio/build.mk - the Tokio programs, built only when Debian's cargo,
# rustc and packaged tokio crate are there. Offline against
# /usr/share/cargo/registry (peers/tokio/.cargo/config.toml), with Debian's
# /usr/bin/cargo and /usr/bin/rustc by full path: a rustup install earlier
# on PATH is not used. CARGO_HOME and the target folder live under build/;
# built once into build/peers/tokio/ and copied into each $(O)/bin/tokio/.
PEER_CARGO ?= $(wildcard /usr/bin/cargo)
PEER_RUSTC ?= $(wildcard /usr/bin/rustc)
PEER_TOKIO_CRATE := $(firstword $(wildcard /usr/share/cargo/registry/tokio-1.*/Cargo.toml))
ifneq ($(and $(PEER_CARGO),$(PEER_RUSTC),$(PEER_TOKIO_CRATE)),)
PEER_HAVE_tokio := 1
TOKIO_PEER_NAMES := foo hello pingpong spawn counter
tokio_PROGS := $(addprefix $(O)/bin/tokio/,$(TOKIO_PEER_NAMES))
PEER_PROGS += $(tokio_PROGS)
TOKIO_PEER_OUT := $(abspath build/peers/tokio)
TOKIO_PEER_ENV := env -u RUSTFLAGS -u CARGO_BUILD_TARGET -u RUSTC_WRAPPER \
  CARGO_HOME=$(abspath build/peers/cargo-home) RUSTC=$(PEER_RUSTC) \
  RUSTDOC=$(dir $(PEER_RUSTC))rustdoc CARGO_TARGET_DIR=$(TOKIO_PEER_OUT)

$(TOKIO_PEER_OUT)/stamp: peers/tokio/Cargo.toml peers/tokio/Cargo.lock \
  peers/tokio/.cargo/config.toml $(wildcard peers/tokio/src/*.rs peers/tokio/src/bin/*.rs) \
  peers/tokio/build.mk
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CARGO   peers/tokio (release, offline)")
	$(Q)cd peers/tokio && $(TOKIO_PEER_ENV) $(PEER_CARGO) build --release --offline \
	  $(if $(Q),--quiet) $(addprefix --bin ,$(TOKIO_PEER_NAMES))
	@touch $@

$(O)/bin/tokio/%: $(TOKIO_PEER_OUT)/stamp
	@mkdir -p $(@D)
	$(Q)install -m 755 $(TOKIO_PEER_OUT)/release/$* $@
endif
