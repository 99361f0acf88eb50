# bench/predict.mk - yl-predict, the textbook schedule of a job list
# (bench/predict/main.c; the model itself is bench/predict.c, in libbench,
# which the sched programs use to print the prediction beside).
YL_PREDICT := $(O)/bin/yl-predict
ALL_PROGS += $(YL_PREDICT)

$(YL_PREDICT): $(O)/obj/bench/predict/main.o $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
