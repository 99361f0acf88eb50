# threads/build.mk - the workload programs as pthreads.
$(eval $(call program_dir,threads,threads,$(LIBBENCH)))
