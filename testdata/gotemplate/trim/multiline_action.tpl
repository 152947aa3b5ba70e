{{ print
  "a"
  "b" }}