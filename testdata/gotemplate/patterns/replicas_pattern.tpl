replicas: {{ .replicaCount }}
port: {{ .port | int }}