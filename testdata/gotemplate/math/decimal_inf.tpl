{{ mulf (float64 "-Inf") 2 }}
