apiVersion: v1
kind: ConfigMap
metadata:
  name: from-tpl-extension
