// (optimizer kernels to come)
