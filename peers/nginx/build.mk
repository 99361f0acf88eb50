# peers/nginx/build.mk - the nginx launcher (peers/nginx/server.c), built
# only where Debian's nginx (nginx-light, make deps) is installed.
PEER_NGINX ?= $(firstword $(wildcard /usr/sbin/nginx))
ifneq ($(PEER_NGINX),)
PEER_HAVE_nginx := 1
nginx_PROGS := $(O)/bin/nginx/server
PEER_PROGS += $(nginx_PROGS)
$(O)/bin/nginx/server: peers/nginx/server.c peers/nginx/build.mk
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -DNGINX_PATH='"$(PEER_NGINX)"' -o $@ $<
endif
