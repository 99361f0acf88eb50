module yieldlab/peers/go

go 1.19
