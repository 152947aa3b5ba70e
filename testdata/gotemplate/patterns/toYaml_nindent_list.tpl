tolerations:{{ toYaml .tolerations | nindent 2 }}
env:{{ toYaml .extraEnv | nindent 2 }}