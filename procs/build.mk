# procs/build.mk - the workload programs as fork()ed processes.
$(eval $(call program_dir,procs,procs,$(LIBBENCH)))
