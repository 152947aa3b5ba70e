line
  {{ .nil.x.y }}