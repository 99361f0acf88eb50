# runtime/build.mk - the workload programs as async tasks on libyl.
$(eval $(call program_dir,runtime,tasks,$(LIBYL) $(LIBBENCH)))
