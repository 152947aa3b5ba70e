spec:
  {{- toYaml .map | nindent 2 }}